import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { IvrDefinition } from '../../core/ivr/definition.js';
import type { Lang } from '../../core/lang.js';
import { validateDefinition, type ValidationResult } from '../../core/ivr/validate.js';
import { checkIvrRefs, type RoutingRefs } from '../../core/config/cross-check.js';
import type { DialDecision } from '../../core/outbound/dial-policy.js';
import { checkTransferNumbers } from '../../core/outbound/transfer-numbers.js';
import { PromptSynth } from '../../adapters/prompts/synth.js';
import type { ActivePointer } from '../versioned-config/active-pointer.js';
import { VersionedCatalog, type ConfigProblem, type VersionKind } from '../versioned-config/catalog.js';
import type { VersionStore } from '../versioned-config/version-store.js';

/** What makes IVR versions IVR versions: see VersionKind. */
export function ivrKind(d: {
  synth: Pick<PromptSynth, 'ensure' | 'removeExcept'>;
  activeRouting: () => Promise<RoutingRefs>;
  /** The outbound dial policy (features/outbound): transfer nodes' numbers must pass it. */
  mayDial: (number: string) => DialDecision;
  /** Where an upload is checked: the service passes its IVR validation thread; on this thread when absent. */
  validate?: (input: unknown) => Promise<ValidationResult>;
}): VersionKind<IvrDefinition, IvrDefinition> {
  /** The prompt files each prepared definition made (rather than found), for discard. */
  const made = new WeakMap<IvrDefinition, PromptFile[]>();
  return {
    label: 'IVR',
    validate: async (input) => {
      const v = d.validate ? await d.validate(input) : validateDefinition(input);
      return v.ok ? { ok: true, value: v.def } : v;
    },
    document: (def) => def,
    // Calls already in the IVR finish on their version, so a stored one is used as it is.
    revive: (def) => ({ ok: true, value: def }),
    // Every queue and skill a version names must be in the routing in force, already at upload;
    // every transfer number must pass the dial policy in force (checked again at activation,
    // since DIAL_* may have changed since the upload).
    crossCheck: {
      atUpload: true,
      check: async (def) => [...checkIvrRefs(def, await d.activeRouting()), ...checkTransferNumbers(def, d.mayDial)],
    },
    // Prompts are produced before a version can be stored.
    prepare: async (def) => {
      const r = await ensurePrompts(d.synth, def);
      made.set(def, r.made);
      return r.problems;
    },
    // A refused upload leaves no sound file behind that no stored version (or upload under way) plays.
    discard: async (def, inUse) => {
      const files = made.get(def) ?? [];
      made.delete(def);
      if (files.length)
        await d.synth.removeExcept(files, async () => new Set((await inUse()).flatMap((other) => promptFiles(other).map(fileKey))));
    },
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
    store: VersionStore<IvrDefinition>;
    pointer: ActivePointer;
    synth: Pick<PromptSynth, 'ensure' | 'removeExcept'>;
    log: Logger;
    /** The routing configuration in force: every queue and skill a version names must be in it. */
    activeRouting: () => Promise<RoutingRefs>;
    mayDial: (number: string) => DialDecision;
    /** Runs one configuration change at a time, routing activations included (features/versioned-config/config-lock.ts). */
    serialize: <T>(change: () => Promise<T>) => Promise<T>;
    /** Where an upload is checked (validate-thread.ts); on this thread when absent. */
    validate?: (input: unknown) => Promise<ValidationResult>;
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

/** One prompt's sound file: its language and content-addressed name. */
interface PromptFile {
  lang: Lang;
  name: string;
}
const fileKey = (f: PromptFile) => `${f.lang}/${f.name}`;

/** Every sound file a definition plays, with the text each is made from. */
function promptFiles(def: IvrDefinition): Array<PromptFile & { prompt: string; text: string }> {
  return Object.entries(def.prompts).flatMap(([prompt, texts]) =>
    (['zh', 'en'] as const).flatMap((lang) => {
      const text = texts[lang];
      return text ? [{ lang, name: promptFile(text), prompt, text }] : [];
    }),
  );
}

/** Each prompt made if missing, one after another (PromptSynth bounds synthesis per process). */
async function ensurePrompts(
  synth: Pick<PromptSynth, 'ensure'>,
  def: IvrDefinition,
): Promise<{ problems: ConfigProblem[]; made: PromptFile[] }> {
  const problems: ConfigProblem[] = [];
  const made: PromptFile[] = [];
  for (const f of promptFiles(def)) {
    try {
      // A cached file was there before this upload (another version's, or a system prompt's): never made here.
      if ((await synth.ensure(f.lang, f.name, f.text, f.prompt)) !== 'cached') made.push({ lang: f.lang, name: f.name });
    } catch (err) {
      // Made or not, it may have left a file behind.
      made.push({ lang: f.lang, name: f.name });
      problems.push({
        path: `/prompts/${f.prompt}/${f.lang}`,
        field: f.lang,
        message: `prompt "${f.prompt}" cannot be produced: ${(err as Error).message}`,
      });
    }
  }
  return { problems, made };
}

function promptFile(text: string): string {
  return `ivr-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
