import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import YAML from 'yaml';
import type { ActivePointer } from './active-pointer.js';
import type { VersionInfo, VersionStore } from './version-store.js';

/** Where a configuration problem is: a JSON pointer, and for IVR nodes the node and field. */
export interface ConfigProblem {
  path: string;
  nodeId?: string;
  field?: string;
  message: string;
}

export type Checked<V> = { ok: true; value: V } | { ok: false; errors: ConfigProblem[] };
export type UploadResult = { ok: true; version: number } | { ok: false; errors: ConfigProblem[] };
/**
 * `missing`: no such version; `errors`: refused, e.g. it names what the other configuration
 * lacks; `warnings`: activated, with something ops should still act on.
 */
export type ActivateResult =
  { ok: true; warnings: ConfigProblem[] } | { ok: false; missing: true } | { ok: false; errors: ConfigProblem[] };

/**
 * What makes one configuration (IVR menus, routing rules, later a knowledge base or a
 * call-summary tree) different from another; everything else is VersionedCatalog's.
 * T is the document as stored, V the form the service works with (e.g. routing's compiled rules).
 */
export interface VersionKind<T, V> {
  /** How logs and errors name it: "IVR version 3". */
  label: string;
  /** An upload: every problem at once, each at its JSON pointer. A promise when checked off this thread. */
  validate(input: unknown): Checked<V> | Promise<Checked<V>>;
  /** The document stored for a valid upload. */
  document(value: V): T;
  /**
   * A stored document made usable again, at activation and when loaded. Stored versions were
   * valid when uploaded; a kind whose rules may tighten re-validates here.
   */
  revive(doc: T): Checked<V>;
  /**
   * Checks against the other configuration in force. Always run at activation, under the
   * configuration lock, since the other side may have changed since the upload; at upload too
   * when `atUpload`.
   */
  crossCheck?: { atUpload: boolean; check(value: V): Promise<ConfigProblem[]> };
  /**
   * What a version needs outside the database (the IVR's prompts as sound files). At upload a
   * problem refuses the version; at start it is run again for the active version, whose files a
   * new host may lack.
   */
  prepare?(value: V): Promise<ConfigProblem[]>;
  /**
   * An upload refused after `prepare` ran (something could not be prepared, or storing failed):
   * undo what prepare made for it that `inUse` still needs none of. `inUse` reads the documents
   * of every stored version and of the other uploads under way in this process; it is best asked
   * while nothing can prepare the same things (see PromptSynth.removeExcept).
   */
  discard?(value: V, inUse: () => Promise<T[]>): Promise<void>;
  /** After an activation: what ops should still act on (routing: agents left with skills or queues it dropped). */
  activated?(value: V): Promise<ConfigProblem[]>;
  /**
   * When neither Redis nor Postgres can say which version is active. 'last-known': the version
   * this instance saw last serves (the IVR: calls must still be answered). 'throw': the error
   * surfaces (routing: a routing round cannot run without Redis anyway).
   */
  whenUnreachable: 'last-known' | 'throw';
}

export interface VersionedCatalogDeps<T> {
  store: VersionStore<T>;
  /** The active version number every instance reads (Redis). */
  pointer: ActivePointer;
  /** Runs one configuration change at a time across instances and kinds (config-lock.ts). */
  serialize: <R>(change: () => Promise<R>) => Promise<R>;
  log: Logger;
}

/**
 * Versions of one configuration: an upload is validated, cross-checked and prepared before it is
 * stored; versions never change once stored; one is active, and an activation or rollback is
 * checked again and switched while no other configuration change runs.
 */
export class VersionedCatalog<T extends object, V = T> {
  /** Versions never change once stored, so what was loaded stays valid for good. */
  private readonly loaded = new Map<number, V>();
  private current: { version: number; value: V } | undefined;
  private lastActive: number | undefined;
  /** Uploads between prepare and store: what they prepared must survive another's refusal. */
  private readonly uploading = new Set<V>();

  constructor(
    private readonly kind: VersionKind<T, V>,
    private readonly d: VersionedCatalogDeps<T>,
  ) {}

  /** On a first start the shipped file (YAML) becomes version 1 and is activated. Returns the active version. */
  async init(shippedFile: string): Promise<number> {
    let version = await this.d.store.active();
    if (version === undefined) {
      const r = await this.upload(YAML.parse(await readFile(shippedFile, 'utf8')), 'system');
      if (!r.ok) throw new Error(`the shipped ${this.kind.label} configuration ${shippedFile} is invalid: ${JSON.stringify(r.errors)}`);
      await this.d.store.activate(r.version, 'system', 'first_start');
      version = r.version;
    }
    const value = await this.load(version);
    const missing = (await this.kind.prepare?.(value)) ?? [];
    // Served anyway: it is the active version, and refusing to start would answer no call at all.
    if (missing.length)
      this.d.log.warn({ version, problems: missing.map((p) => p.message) }, `active ${this.kind.label} version is not fully prepared`);
    await this.d.pointer.write(version);
    this.current = { version, value };
    this.lastActive = version;
    return version;
  }

  async upload(input: unknown, by: string, comment?: string): Promise<UploadResult> {
    const v = await this.kind.validate(input);
    if (!v.ok) return v;
    if (this.kind.crossCheck?.atUpload) {
      const errors = await this.kind.crossCheck.check(v.value);
      if (errors.length) return { ok: false, errors };
    }
    this.uploading.add(v.value);
    let version: number;
    try {
      const errors = (await this.kind.prepare?.(v.value)) ?? [];
      if (errors.length) {
        await this.discard(v.value);
        return { ok: false, errors };
      }
      version = await this.d.store.insert(this.kind.document(v.value), by, comment).catch(async (err: unknown) => {
        await this.discard(v.value);
        throw err;
      });
    } finally {
      this.uploading.delete(v.value);
    }
    this.loaded.set(version, v.value);
    return { ok: true, version };
  }

  /** A refused upload's prepared things removed; a failure to is logged, the refusal stands either way. */
  private async discard(value: V): Promise<void> {
    if (!this.kind.discard) return;
    this.uploading.delete(value);
    const inUse = async (): Promise<T[]> => {
      // Uploads under way first, the store after: one that finishes in between is then stored.
      const underWay = [...this.uploading].map((other) => this.kind.document(other));
      const stored: Array<T | undefined> = await Promise.all((await this.d.store.list()).map((info) => this.d.store.get(info.version)));
      return [...stored.filter((doc): doc is T => doc !== undefined), ...underWay];
    };
    await this.kind.discard(value, inUse).catch((err: unknown) => {
      this.d.log.warn({ err }, `what a refused ${this.kind.label} upload prepared could not be removed`);
    });
  }

  activate(version: number, by: string, reason: 'activate' | 'rollback'): Promise<ActivateResult> {
    return this.d.serialize(() => this.activateNow(version, by, reason));
  }

  private async activateNow(version: number, by: string, reason: 'activate' | 'rollback'): Promise<ActivateResult> {
    const doc = await this.d.store.get(version);
    if (doc === undefined) return { ok: false, missing: true };
    const v = this.kind.revive(doc);
    if (!v.ok) return v;
    const errors = (await this.kind.crossCheck?.check(v.value)) ?? [];
    if (errors.length) return { ok: false, errors };
    await this.d.store.activate(version, by, reason);
    await this.d.pointer.write(version);
    const warnings = (await this.kind.activated?.(v.value)) ?? [];
    this.d.log.info({ version, by, reason, warnings: warnings.map((w) => w.message) }, `${this.kind.label} version activated`);
    return { ok: true, warnings };
  }

  /** The active version number, from Redis, else Postgres (after a Redis flush), else as `whenUnreachable` says. */
  async activeVersion(): Promise<number> {
    const tolerant = this.kind.whenUnreachable === 'last-known';
    const quietly = <X>(p: Promise<X>): Promise<X | undefined> => (tolerant ? p.catch(() => undefined) : p);
    const version = (await quietly(this.d.pointer.read())) ?? (await quietly(this.d.store.active()));
    if (version !== undefined) return (this.lastActive = version);
    if (tolerant && this.lastActive !== undefined) return this.lastActive;
    throw new Error(`no ${this.kind.label} version is active`);
  }

  /** One version, ready to use; read from Postgres once. */
  async load(version: number): Promise<V> {
    const hit = this.loaded.get(version);
    if (hit !== undefined) return hit;
    const doc = await this.d.store.get(version);
    if (doc === undefined) throw new Error(`${this.kind.label} version ${version} does not exist`);
    const v = this.kind.revive(doc);
    if (!v.ok) throw new Error(`${this.kind.label} version ${version} is no longer valid: ${JSON.stringify(v.errors)}`);
    this.loaded.set(version, v.value);
    return v.value;
  }

  /** The active version, re-read only when another version was activated (by any instance). */
  async active(): Promise<{ version: number; value: V }> {
    const version = await this.activeVersion();
    if (this.current?.version !== version) this.current = { version, value: await this.load(version) };
    return this.current;
  }

  /** The active version as last loaded, for code paths that must not wait on I/O. */
  get cached(): { version: number; value: V } | undefined {
    return this.current;
  }

  /** A version's document as stored. */
  get(version: number): Promise<T | undefined> {
    return this.d.store.get(version);
  }

  list(): Promise<VersionInfo[]> {
    return this.d.store.list();
  }

  /** The version active before the current one: where a rollback goes. */
  previous(): Promise<number | undefined> {
    return this.d.store.previous();
  }
}
