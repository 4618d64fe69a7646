import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import YAML from 'yaml';
import { validateRoutingConfig, type RoutingConfig } from '../../core/routing/config.js';
import type { RoutingRules } from '../../core/routing/model.js';
import type { RuleError } from '../../core/routing/rules.js';
import type { PgRoutingRepo } from './routing-repo.js';
import type { IvrDefinition } from '../../core/ivr/definition.js';
import { agentsLeftBehind, checkRoutingRefs, type AgentRefs, type RefProblem } from '../../core/config/cross-check.js';

export interface ActiveRouting {
  version: number;
  config: RoutingConfig;
  rules: RoutingRules;
}

/**
 * `missing`: no such version; `errors`: it lacks queues or skills the active IVR sends calls to.
 * `warnings`: activated, but agents still hold skills or serve queues it does not declare.
 */
export type ActivateResult =
  | { ok: true; warnings: RefProblem[] }
  | { ok: false; missing: true }
  | { ok: false; errors: Array<RuleError | RefProblem> };

/**
 * Queues and routing rules: validated, versioned, one version active. Unlike the IVR, the
 * active rules apply to calls already waiting (an overflowing queue is fixed for everyone);
 * every instance reads the active version number from Redis before each routing round.
 */
export class RoutingCatalog {
  private current: ActiveRouting | undefined;

  constructor(
    private readonly d: {
      repo: PgRoutingRepo; redis: Redis; activeKey: string; log: Logger;
      /** The IVR version in force: a routing version must have every queue and skill it names. */
      activeIvr: () => Promise<{ version: number; def: IvrDefinition }>;
      /** Runs one configuration change at a time, IVR activations included (features/versioned-config/config-lock.ts). */
      serialize: <T>(change: () => Promise<T>) => Promise<T>;
      /** Active agents' skills and queues, to report those a version leaves behind. */
      agents: () => Promise<AgentRefs[]>;
    },
  ) {}

  async init(defaultFile: string): Promise<void> {
    let version = await this.d.repo.active();
    if (version === undefined) {
      const r = await this.upload(YAML.parse(await readFile(defaultFile, 'utf8')), 'system');
      if (!r.ok) throw new Error(`the shipped routing rules ${defaultFile} are invalid: ${JSON.stringify(r.errors)}`);
      await this.d.repo.activate(r.version, 'system', 'first_start');
      version = r.version;
    }
    await this.d.redis.set(this.d.activeKey, String(version));
    await this.active();
  }

  async upload(input: unknown, by: string, comment?: string): Promise<{ ok: true; version: number } | { ok: false; errors: RuleError[] }> {
    const v = validateRoutingConfig(input);
    if (!v.ok) return v;
    return { ok: true, version: await this.d.repo.insert(v.config, by, comment) };
  }

  /** Checked against the IVR in force and switched while no other configuration change runs. */
  activate(version: number, by: string, reason: 'activate' | 'rollback'): Promise<ActivateResult> {
    return this.d.serialize(() => this.activateNow(version, by, reason));
  }

  private async activateNow(version: number, by: string, reason: 'activate' | 'rollback'): Promise<ActivateResult> {
    const stored = await this.d.repo.get(version);
    if (!stored) return { ok: false, missing: true };
    // Stored versions were valid when uploaded; re-validated because the rules may have tightened since.
    const v = validateRoutingConfig(stored);
    if (!v.ok) return v;
    const errors = checkRoutingRefs(v.config, await this.d.activeIvr());
    if (errors.length) return { ok: false, errors };
    await this.d.repo.activate(version, by, reason);
    await this.d.redis.set(this.d.activeKey, String(version));
    const warnings = agentsLeftBehind(v.config, await this.d.agents());
    this.d.log.info({ version, by, reason, warnings: warnings.map((w) => w.message) }, 'routing version activated');
    return { ok: true, warnings };
  }

  /** The active rules; re-read only when another version was activated (by any instance). */
  async active(): Promise<ActiveRouting> {
    const version = Number(await this.d.redis.get(this.d.activeKey)) || (await this.d.repo.active());
    if (!version) throw new Error('no routing version is active');
    if (this.current?.version === version) return this.current;
    const config = await this.d.repo.get(version);
    const v = config && validateRoutingConfig(config);
    if (!v || !v.ok) throw new Error(`routing version ${version} is missing or no longer valid`);
    this.current = { version, config: v.config, rules: v.rules };
    return this.current;
  }

  /** The rules as last loaded, for code paths that must not wait on I/O. */
  get cached(): ActiveRouting | undefined {
    return this.current;
  }
}
