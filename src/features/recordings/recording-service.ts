import type { Logger } from 'pino';
import type { Principal } from '../../core/auth/access.js';
import { stamp, type Ctx, type DomainEvent } from '../../core/events.js';
import { inScope, recordingScope, type HoldReason } from '../../core/recordings/access.js';
import type { RecordingFiles } from '../../adapters/recordings/recording-files.js';
import type { HoldRow, PgRecordingRepo, RecordingFilter, RecordingRow, RetentionRun } from './recording-repo.js';

/** A request the service refuses: the HTTP status and the field it names. */
export class RecordingError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RecordingError';
  }
}

export interface RecordingServiceDeps {
  repo: PgRecordingRepo;
  files: RecordingFiles;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  log: Logger;
  /** RECORDINGS_AGENT_OWN: agents may list and play the recordings of calls they answered. */
  agentOwn: boolean;
  /** How long to wait for Asterisk to close a finished recording's file. */
  closeWaitMs?: number;
}

export type ListQuery = Omit<RecordingFilter, 'onlyAgent' | 'before' | 'limit'> & { limit?: number; cursor?: string };

/** What a retention run did. */
export interface RetentionResult {
  runId: string;
  deleted: number;
  keptOnHold: number;
  failed: number;
}

/**
 * Recordings: who may hear which, their holds, finishing a recording's facts when its call ends,
 * and the retention job. Asterisk writes the audio; this service only reads, hashes and deletes
 * files through RecordingFiles.
 */
export class RecordingService {
  constructor(private readonly d: RecordingServiceDeps) {}

  private scope(who: Principal) {
    const s = recordingScope(who, this.d.agentOwn);
    if (s.kind === 'none') throw new RecordingError(403, '/', s.reason);
    return s;
  }

  async list(who: Principal, q: ListQuery): Promise<{ items: RecordingRow[]; next?: string }> {
    const scope = this.scope(who);
    if (scope.kind === 'agent' && q.agentId && q.agentId !== scope.agentId)
      throw new RecordingError(403, '/agentId', 'an agent sees only the recordings of its own calls');
    const limit = q.limit ?? 50;
    const before = q.cursor ? decodeCursor(q.cursor) : undefined;
    const items = await this.d.repo.list({
      ...q,
      limit: limit + 1,
      before,
      onlyAgent: scope.kind === 'agent' ? scope.agentId : undefined,
    });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return items.length > limit && last ? { items: page, next: encodeCursor(last) } : { items: page };
  }

  /** One recording, if the principal may hear it (404 otherwise: an agent learns nothing of others' calls). */
  async get(who: Principal, id: string): Promise<RecordingRow> {
    const scope = this.scope(who);
    const r = await this.d.repo.get(id);
    if (!r || !inScope(scope, r.agentId)) throw new RecordingError(404, '/id', 'no such recording');
    return r;
  }

  /** The file to play: 410 once retention deleted it, 404 while the call is still being recorded. */
  async audio(who: Principal, id: string): Promise<{ recording: RecordingRow; root: string; file: string }> {
    const r = await this.get(who, id);
    if (r.deletedAt) throw new RecordingError(409, '/id', `the recording was deleted on ${r.deletedAt} (retention)`);
    if (!r.endedAt) throw new RecordingError(409, '/id', 'the call is still being recorded');
    if (r.endReason === 'missing' || r.endReason === 'failed') throw new RecordingError(404, '/id', 'this call has no recording file');
    const full = this.d.files.pathOf(r.name, r.format);
    return { recording: r, root: this.d.files.dir, file: full.slice(this.d.files.dir.length + 1) };
  }

  async hold(who: Principal, id: string, h: { reason: HoldReason; ref: string; note?: string }): Promise<HoldRow> {
    const r = await this.d.repo.get(id);
    if (!r) throw new RecordingError(404, '/id', 'no such recording');
    if (r.deletedAt) throw new RecordingError(409, '/id', 'the recording was already deleted');
    return this.d.repo.addHold({
      id: this.d.ctx().newId(),
      recordingId: id,
      reason: h.reason,
      ref: h.ref,
      note: h.note ?? null,
      by: who.id,
    });
  }

  async release(who: Principal, id: string, holdId: string): Promise<HoldRow> {
    const h = await this.d.repo.releaseHold(id, holdId, who.id);
    if (!h) throw new RecordingError(404, '/holdId', 'no such active hold on this recording');
    return h;
  }

  runs(limit = 30): Promise<RetentionRun[]> {
    return this.d.repo.runs(limit);
  }

  /**
   * The call ended: once Asterisk closed the file (its bridge is gone), its length, size and
   * checksum go into call.recorded. Never throws: a recording's facts must not fail a call.
   */
  async finish(p: { callId: string; recordingId: string; name: string; reason: 'call_ended' | 'recovered' }): Promise<void> {
    try {
      const closed = await this.d.files.waitComplete(p.name, this.d.closeWaitMs ?? 10_000);
      const facts = closed ? await this.d.files.facts(p.name) : undefined;
      this.d.publish([
        stamp(this.d.ctx(), {
          type: 'call.recorded',
          callId: p.callId,
          recordingId: p.recordingId,
          name: p.name,
          durationMs: facts?.durationMs ?? 0,
          sizeBytes: facts?.sizeBytes ?? 0,
          ...(facts ? { sha256: facts.sha256 } : {}),
          endReason: facts ? p.reason : 'missing',
        }),
      ]);
      if (!facts) this.d.log.error({ callId: p.callId, name: p.name, dir: this.d.files.dir }, 'recording file not found after the call');
    } catch (err) {
      this.d.log.error({ callId: p.callId, name: p.name, err: (err as Error).message }, 'recording could not be finished');
    }
  }

  /** Asterisk refused to record: the recording is closed as failed at once. */
  failed(p: { callId: string; recordingId: string; name: string }, err: Error): void {
    this.d.log.error({ callId: p.callId, name: p.name, err: err.message }, 'Asterisk did not start the recording');
    this.d.publish([stamp(this.d.ctx(), { type: 'call.recorded', ...p, durationMs: 0, sizeBytes: 0, endReason: 'failed' })]);
  }

  /**
   * Recordings whose call ended but which no instance finished (it stopped between the call's end
   * and the file's facts): finished now, as 'recovered'. Run at start and with each retention run.
   */
  async recover(graceMs = 60_000): Promise<number> {
    const rows = await this.d.repo.unfinished(new Date(this.d.ctx().now - graceMs), 200);
    for (const r of rows) await this.finish({ callId: r.callId, recordingId: r.id, name: r.name, reason: 'recovered' });
    if (rows.length) this.d.log.info({ recordings: rows.length }, 'unfinished recordings finished');
    return rows.length;
  }

  /**
   * Deletes the files of recordings past their expiry, except those on hold, and records the run
   * (recording_retention_runs) and each deletion (recording.deleted). The hold is checked again in
   * the statement that marks a recording deleted, before its file goes: a hold placed meanwhile wins.
   */
  async retention(batch = 500): Promise<RetentionResult> {
    const ctx = this.d.ctx();
    const runId = ctx.newId();
    await this.d.repo.startRun(runId);
    const details: unknown[] = [];
    const out = { deleted: 0, keptOnHold: 0, failed: 0 };
    const candidates = await this.d.repo.expired(new Date(ctx.now), batch);
    for (const c of candidates) {
      if (c.held || !(await this.d.repo.markDeleted(c.id, 'retention'))) {
        out.keptOnHold++;
        details.push({ recordingId: c.id, name: c.name, action: 'kept_on_hold' });
        continue;
      }
      try {
        const existed = await this.d.files.remove(c.name);
        out.deleted++;
        details.push({ recordingId: c.id, name: c.name, action: 'deleted', ...(existed ? {} : { note: 'file was already gone' }) });
        this.d.publish([
          stamp(this.d.ctx(), { type: 'recording.deleted', recordingId: c.id, callId: c.callId, name: c.name, by: 'retention' }),
        ]);
      } catch (err) {
        await this.d.repo.unmarkDeleted(c.id);
        out.failed++;
        details.push({ recordingId: c.id, name: c.name, action: 'failed', error: (err as Error).message });
      }
    }
    await this.d.repo.finishRun(runId, { ...out, details });
    this.d.log.info({ runId, ...out }, 'recording retention run');
    return { runId, ...out };
  }
}

function encodeCursor(r: RecordingRow): string {
  return Buffer.from(`${r.startedAt}|${r.id}`).toString('base64url');
}

function decodeCursor(c: string): { at: string; id: string } {
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || id.length > 64) throw new RecordingError(400, '/cursor', 'not a cursor this API gave');
  return { at, id };
}
