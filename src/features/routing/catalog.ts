import type { Logger } from 'pino';
import { validateRoutingConfig, type RoutingConfig } from '../../core/routing/config.js';
import type { RoutingRules } from '../../core/routing/model.js';
import type { IvrDefinition } from '../../core/ivr/definition.js';
import { agentsLeftBehind, checkRoutingRefs, type AgentRefs } from '../../core/config/cross-check.js';
import type { ActivePointer } from '../versioned-config/active-pointer.js';
import { VersionedCatalog, type Checked, type VersionKind } from '../versioned-config/catalog.js';
import type { VersionStore } from '../versioned-config/version-store.js';

export interface ActiveRouting {
  version: number;
  config: RoutingConfig;
  rules: RoutingRules;
}

/** A routing version as the service uses it: the configuration and the rules compiled from it. */
export interface CompiledRouting {
  config: RoutingConfig;
  rules: RoutingRules;
}

function compile(input: unknown): Checked<CompiledRouting> {
  const v = validateRoutingConfig(input);
  return v.ok ? { ok: true, value: { config: v.config, rules: v.rules } } : v;
}

/** What makes routing versions routing versions: see VersionKind. */
export function routingKind(d: {
  activeIvr: () => Promise<{ version: number; def: IvrDefinition }>;
  agents: () => Promise<AgentRefs[]>;
}): VersionKind<RoutingConfig, CompiledRouting> {
  return {
    label: 'routing',
    validate: compile,
    document: (r) => r.config,
    // Stored versions were valid when uploaded; re-validated because the rules may have tightened since.
    revive: compile,
    // Only at activation: a draft may drop a queue the active IVR still uses, to be activated once a new IVR no longer does.
    crossCheck: { atUpload: false, check: async (r) => checkRoutingRefs(r.config, await d.activeIvr()) },
    activated: async (r) => agentsLeftBehind(r.config, await d.agents()),
    whenUnreachable: 'throw',
  };
}

/**
 * Queues and routing rules: validated, versioned, one version active. Unlike the IVR, the
 * active rules apply to calls already waiting (an overflowing queue is fixed for everyone);
 * every instance reads the active version number from Redis before each routing round.
 */
export class RoutingCatalog {
  /** Upload, list, activate and roll back (the /api/routing routes). */
  readonly versions: VersionedCatalog<RoutingConfig, CompiledRouting>;
  private current: ActiveRouting | undefined;

  constructor(d: {
    store: VersionStore<RoutingConfig>;
    pointer: ActivePointer;
    log: Logger;
    /** The IVR version in force: a routing version must have every queue and skill it names. */
    activeIvr: () => Promise<{ version: number; def: IvrDefinition }>;
    /** Runs one configuration change at a time, IVR activations included (features/versioned-config/config-lock.ts). */
    serialize: <T>(change: () => Promise<T>) => Promise<T>;
    /** Active agents' skills and queues, to report those a version leaves behind. */
    agents: () => Promise<AgentRefs[]>;
  }) {
    this.versions = new VersionedCatalog(routingKind(d), d);
  }

  async init(defaultFile: string): Promise<void> {
    await this.versions.init(defaultFile);
    await this.active();
  }

  /** The active rules; re-read only when another version was activated (by any instance). */
  async active(): Promise<ActiveRouting> {
    const { version, value } = await this.versions.active();
    // The same object while the version stays, so a routing round costs no allocation.
    if (this.current?.version !== version) this.current = { version, ...value };
    return this.current;
  }

  /** The rules as last loaded, for code paths that must not wait on I/O. */
  get cached(): ActiveRouting | undefined {
    return this.current;
  }

  /** Any stored version's rules (a draft, for the simulator); undefined if there is none or it is no longer valid. */
  async version(version: number): Promise<CompiledRouting | undefined> {
    return this.versions.load(version).catch(() => undefined);
  }
}
