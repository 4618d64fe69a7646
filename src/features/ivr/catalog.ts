import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import YAML from 'yaml';
import type { IvrDefinition } from '../../core/ivr/definition.js';
import type { Lang } from '../../core/lang.js';
import { validateDefinition, type IvrError } from '../../core/ivr/validate.js';
import { checkIvrRefs, type RoutingRefs } from '../../core/config/cross-check.js';
import type { PgIvrRepo } from './ivr-repo.js';
import { PromptSynth } from '../../adapters/prompts/synth.js';

export type UploadResult = { ok: true; version: number } | { ok: false; errors: IvrError[] };
/** `missing`: no such version; `errors`: it names queues or skills the active routing lacks. */
export type ActivateResult = { ok: true } | { ok: false; missing: true } | { ok: false; errors: IvrError[] };

/**
 * IVR versions: validated and stored, prompts produced before a version can be stored, one
 * version active. New calls read the active version number from Redis (so every instance
 * switches at once); a version's definition never changes, so it is cached forever.
 */
export class IvrCatalog {
  private readonly cache = new Map<number, IvrDefinition>();
  private lastActive: number | undefined;

  constructor(
    private readonly d: {
      repo: PgIvrRepo; synth: PromptSynth; redis: Redis; activeKey: string; log: Logger;
      /** The routing configuration in force: every queue and skill a version names must be in it. */
      activeRouting: () => Promise<RoutingRefs>;
      /** Runs one configuration change at a time, routing activations included (features/versioned-config/config-lock.ts). */
      serialize: <T>(change: () => Promise<T>) => Promise<T>;
    },
  ) {}

  /** On first start, the shipped 12366 tree becomes version 1 and is activated. */
  async init(defaultTreeFile: string): Promise<void> {
    let active = await this.d.repo.active();
    if (active === undefined) {
      const r = await this.upload(YAML.parse(await readFile(defaultTreeFile, 'utf8')), 'system');
      if (!r.ok) throw new Error(`the shipped IVR tree ${defaultTreeFile} is invalid: ${JSON.stringify(r.errors)}`);
      await this.d.repo.activate(r.version, 'system', 'first_start');
      active = r.version;
    }
    // Prompts may be missing on a new Asterisk host even though the version is stored.
    await this.ensurePrompts(await this.definition(active));
    await this.d.redis.set(this.d.activeKey, String(active));
  }

  async upload(source: unknown, by: string, comment?: string): Promise<UploadResult> {
    const v = validateDefinition(source);
    if (!v.ok) return v;
    const refs = checkIvrRefs(v.def, await this.d.activeRouting());
    if (refs.length) return { ok: false, errors: refs };
    const errors = await this.ensurePrompts(v.def);
    if (errors.length) return { ok: false, errors };
    const version = await this.d.repo.insert(v.def, by, comment);
    this.cache.set(version, v.def);
    return { ok: true, version };
  }

  /** Checked again at activation, while no other configuration change runs: the routing may have changed since the upload. */
  activate(version: number, by: string, reason: 'activate' | 'rollback'): Promise<ActivateResult> {
    return this.d.serialize(() => this.activateNow(version, by, reason));
  }

  private async activateNow(version: number, by: string, reason: 'activate' | 'rollback'): Promise<ActivateResult> {
    const def = await this.d.repo.get(version);
    if (!def) return { ok: false, missing: true };
    const errors = checkIvrRefs(def, await this.d.activeRouting());
    if (errors.length) return { ok: false, errors };
    await this.d.repo.activate(version, by, reason);
    await this.d.redis.set(this.d.activeKey, String(version));
    this.d.log.info({ version, by, reason }, 'IVR version activated');
    return { ok: true };
  }

  async activeVersion(): Promise<number> {
    // Calls must still be answered while Redis or Postgres is away: the last version seen serves.
    const v = Number(await this.d.redis.get(this.d.activeKey).catch(() => null));
    if (Number.isInteger(v) && v > 0) return (this.lastActive = v);
    const fromDb = await this.d.repo.active().catch(() => undefined);
    if (fromDb !== undefined) return (this.lastActive = fromDb);
    if (this.lastActive !== undefined) return this.lastActive;
    throw new Error('no IVR version is active');
  }

  async definition(version: number): Promise<IvrDefinition> {
    let def = this.cache.get(version);
    if (!def) {
      def = await this.d.repo.get(version);
      if (!def) throw new Error(`IVR version ${version} does not exist`);
      this.cache.set(version, def);
    }
    return def;
  }

  /** The media URI of a prompt. Content-addressed, so a newer version never changes what an older one plays. */
  media(def: IvrDefinition, name: string, lang: Lang): string {
    const p = def.prompts[name];
    if (!p) throw new Error(`prompt "${name}" is not defined in IVR "${def.name}"`);
    const text = lang === 'en' && p.en ? p.en : p.zh;
    return PromptSynth.media(p.en && lang === 'en' ? 'en' : 'zh', promptFile(text));
  }

  private async ensurePrompts(def: IvrDefinition): Promise<IvrError[]> {
    const errors: IvrError[] = [];
    for (const [name, texts] of Object.entries(def.prompts)) {
      for (const lang of ['zh', 'en'] as const) {
        const text = texts[lang];
        if (!text) continue;
        try {
          await this.d.synth.ensure(lang, promptFile(text), text, name);
        } catch (err) {
          errors.push({ path: `/prompts/${name}/${lang}`, field: lang, message: `prompt "${name}" cannot be produced: ${(err as Error).message}` });
        }
      }
    }
    return errors;
  }
}

function promptFile(text: string): string {
  return `ivr-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
