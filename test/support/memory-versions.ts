import type { ActivePointer } from '../../src/features/versioned-config/active-pointer.js';
import type { ActivationReason, VersionInfo, VersionStore } from '../../src/features/versioned-config/version-store.js';

/**
 * A VersionStore in memory, with PgVersionStore's meaning (versions numbered from 1, the active
 * version the latest activation, previous the latest activation of another version), so the
 * catalog's decisions can be tested without Postgres. Documents are copied through JSON, as jsonb would.
 */
export class MemoryVersionStore<T> implements VersionStore<T> {
  readonly docs: T[] = [];
  readonly activations: Array<{ version: number; by: string; reason: ActivationReason }> = [];
  private readonly meta: Array<{ createdBy: string; comment: string | null }> = [];

  async insert(doc: T, by: string, comment?: string): Promise<number> {
    this.docs.push(JSON.parse(JSON.stringify(doc)) as T);
    this.meta.push({ createdBy: by, comment: comment ?? null });
    return this.docs.length;
  }

  async get(version: number): Promise<T | undefined> {
    const d = this.docs[version - 1];
    return d === undefined ? undefined : (JSON.parse(JSON.stringify(d)) as T);
  }

  async list(): Promise<VersionInfo[]> {
    return this.meta.map((m, i) => ({ version: i + 1, createdAt: new Date(0).toISOString(), ...m }));
  }

  async active(): Promise<number | undefined> {
    return this.activations.at(-1)?.version;
  }

  async previous(): Promise<number | undefined> {
    const current = await this.active();
    return [...this.activations].reverse().find((a) => a.version !== current)?.version;
  }

  async activate(version: number, by: string, reason: ActivationReason): Promise<void> {
    this.activations.push({ version, by, reason });
  }
}

/** The Redis pointer in memory; `down` makes it fail as Redis would when unreachable. */
export class MemoryPointer implements ActivePointer {
  value: number | undefined;
  down = false;

  async read(): Promise<number | undefined> {
    if (this.down) throw new Error('redis unreachable');
    return this.value;
  }

  async write(version: number): Promise<void> {
    if (this.down) throw new Error('redis unreachable');
    this.value = version;
  }
}
