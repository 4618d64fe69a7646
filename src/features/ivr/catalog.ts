import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { IvrDefinition } from '../../core/ivr/definition.js';
import type { Lang } from '../../core/lang.js';
import { validateDefinition } from '../../core/ivr/validate.js';
import { checkIvrRefs, type RoutingRefs } from '../../core/config/cross-check.js';
import type { DialDecision } from '../../core/outbound/dial-policy.js';
import { checkTransferNumbers } from '../../core/outbound/transfer-numbers.js';
import { PromptSynth } from '../../adapters/prompts/synth.js';
import type { ActivePointer } from '../versioned-config/active-pointer.js';
import { VersionedCatalog, type ConfigProblem, type VersionKind } from '../versioned-config/catalog.js';
import type { VersionStore } from '../versioned-config/version-store.js';

/** What makes IVR versions IVR versions: see VersionKind. */
export function ivrKind(d: {
  synth: Pick<PromptSynth, 'ensure'>; activeRouting: () => Promise<RoutingRefs>;
  /** The outbound dial policy (features/outbound): transfer nodes' numbers must pass it. */
  mayDial: (number: string) => DialDecision;
}): VersionKind<IvrDefinition, IvrDefinition> {
  return {
    label: 'IVR',
    validate: (input) => {
      const v = validateDefinition(input);
      return v.ok ? { ok: true, value: v.def } : v;
    },
    document: (def) => def,
    // Calls already in the IVR finish on their version, so a stored one is used as it is.
    revive: (def) => ({ ok: true, value: def }),
    // Every queue and skill a version names must be in the routing in force, already at upload;
    // every transfer number must pass the dial policy in force (checked again at activation,
    // since DIAL_* may have changed since the upload).
    crossCheck: { atUpload: true, check: async (def) => [...checkIvrRefs(def, await d.activeRouting()), ...checkTransferNumbers(def, d.mayDial)] },
    // Prompts are produced before a version can be stored.
    prepare: (def) => ensurePrompts(d.synth, def),
    whenUnreachable: 'last-known',
  };
}

/**
 * IVR versions: validated and stored, prompts produced before a version can be stored, one
 * version active. New calls read the active version number from Redis (so every instance
 * switches at once); a version's definition never changes, so it is cached forever.
 */
export class IvrCatalog {
  /** Upload, list, activate and roll back (the /api/ivr routes). */
  readonly versions: VersionedCatalog<IvrDefinition>;

  constructor(d: {
    store: VersionStore<IvrDefinition>; pointer: ActivePointer; synth: Pick<PromptSynth, 'ensure'>; log: Logger;
    /** The routing configuration in force: every queue and skill a version names must be in it. */
    activeRouting: () => Promise<RoutingRefs>;
    mayDial: (number: string) => DialDecision;
    /** Runs one configuration change at a time, routing activations included (features/versioned-config/config-lock.ts). */
    serialize: <T>(change: () => Promise<T>) => Promise<T>;
  }) {
    this.versions = new VersionedCatalog(ivrKind(d), d);
  }

  /** On first start, the shipped 12366 tree becomes version 1 and is activated; its prompts are made if missing. */
  async init(defaultTreeFile: string): Promise<void> {
    await this.versions.init(defaultTreeFile);
  }

  /** Calls must still be answered while Redis or Postgres is away: the last version seen serves. */
  activeVersion(): Promise<number> {
    return this.versions.activeVersion();
  }

  definition(version: number): Promise<IvrDefinition> {
    return this.versions.load(version);
  }

  /** The media URI of a prompt. Content-addressed, so a newer version never changes what an older one plays. */
  media(def: IvrDefinition, name: string, lang: Lang): string {
    const p = def.prompts[name];
    if (!p) throw new Error(`prompt "${name}" is not defined in IVR "${def.name}"`);
    const text = lang === 'en' && p.en ? p.en : p.zh;
    return PromptSynth.media(p.en && lang === 'en' ? 'en' : 'zh', promptFile(text));
  }
}

async function ensurePrompts(synth: Pick<PromptSynth, 'ensure'>, def: IvrDefinition): Promise<ConfigProblem[]> {
  const errors: ConfigProblem[] = [];
  for (const [name, texts] of Object.entries(def.prompts)) {
    for (const lang of ['zh', 'en'] as const) {
      const text = texts[lang];
      if (!text) continue;
      try {
        await synth.ensure(lang, promptFile(text), text, name);
      } catch (err) {
        errors.push({ path: `/prompts/${name}/${lang}`, field: lang, message: `prompt "${name}" cannot be produced: ${(err as Error).message}` });
      }
    }
  }
  return errors;
}

function promptFile(text: string): string {
  return `ivr-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
