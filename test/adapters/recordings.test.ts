import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import { RecordingFiles } from '../../src/adapters/recordings/recording-files.js';
import { stamp, type DomainEvent } from '../../src/core/events.js';
import { projectRecordings } from '../../src/features/recordings/recording-projection.js';
import { PgRecordingRepo } from '../../src/features/recordings/recording-repo.js';
import { RecordingService } from '../../src/features/recordings/recording-service.js';
import { uuidv7 } from '../../src/shared/uuidv7.js';
import { REPO, requireEnv } from '../support/rig.js';

// Real Postgres and a real directory standing in for Asterisk's recording directory. Rows are this
// run's own (a queue name with the run's tag) and removed afterwards.
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const tag = `${Date.now() % 1e7}`;
const queue = `rec-${tag}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'tax12366-recordings-'));
const files = new RecordingFiles(dir);
const repo = new PgRecordingRepo(pool);
const published: DomainEvent[] = [];
const now = Date.now();
const ctx = () => ({ now, newId: uuidv7 });
const service = new RecordingService({
  repo,
  files,
  publish: (es) => published.push(...es),
  ctx,
  log: pino({ level: 'silent' }),
  agentOwn: false,
  closeWaitMs: 1500,
});

/** A WAV as Asterisk writes it: 8 kHz, 16-bit mono; `final` false leaves the header's sizes unwritten (still recording). */
function wav(seconds: number, final = true): Buffer {
  const data = Buffer.alloc(8000 * 2 * seconds);
  for (let i = 0; i < data.length / 2; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(final ? 36 + data.length : 0, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(final ? data.length : 0, 40);
  return Buffer.concat([h, data]);
}

/** A recorded call as its events would store it: calls row, recording row (projection), and its file. */
async function recorded(o: { daysAgo: number; retentionDays: number; seconds?: number; finished?: boolean; callEndedMsAgo?: number }) {
  const callId = uuidv7();
  const recordingId = uuidv7();
  const name = `calls/test-${tag}/${callId}`;
  const at = now - o.daysAgo * 86_400_000;
  await pool.query(
    `INSERT INTO calls (call_id, caller, dialed, started_at, ended_at, outcome, agent_id, queue) VALUES ($1, '057100000000', '12366', $2, $3, 'answered', '1001', $4)`,
    [callId, new Date(at), o.callEndedMsAgo !== undefined ? new Date(now - o.callEndedMsAgo) : new Date(at + 60_000), queue],
  );
  const c = { now: at, newId: uuidv7 };
  const events: DomainEvent[] = [
    stamp(c, {
      type: 'call.recording_started',
      callId,
      recordingId,
      name,
      kind: 'mix',
      queue,
      agentId: '1001',
      caller: '057100000000',
      retentionDays: o.retentionDays,
    }),
  ];
  mkdirSync(path.dirname(files.pathOf(name)), { recursive: true });
  writeFileSync(files.pathOf(name), wav(o.seconds ?? 1));
  if (o.finished !== false)
    events.push(
      stamp(
        { now: at + 60_000, newId: uuidv7 },
        { type: 'call.recorded', callId, recordingId, name, durationMs: 1000, sizeBytes: 16044, endReason: 'call_ended' },
      ),
    );
  const client = await pool.connect();
  try {
    await projectRecordings(client, events);
  } finally {
    client.release();
  }
  return { callId, recordingId, name };
}

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'silent' }));
});
afterAll(async () => {
  const ids = (await pool.query('SELECT id, call_id FROM recordings WHERE queue = $1', [queue])).rows;
  await pool.query('DELETE FROM recording_holds WHERE recording_id = ANY($1)', [ids.map((r) => r.id)]);
  await pool.query('DELETE FROM recordings WHERE queue = $1', [queue]);
  await pool.query('DELETE FROM calls WHERE queue = $1', [queue]);
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('recordings (Postgres and the recording directory)', () => {
  it('the table follows the events: a row at the start, expiring retentionDays later; its end once, from call.recorded', async () => {
    const r = await recorded({ daysAgo: 1, retentionDays: 30 });
    const row = (await repo.get(r.recordingId))!;
    expect(Date.parse(row.expiresAt) - Date.parse(row.startedAt)).toBe(30 * 86_400_000);
    expect(row).toMatchObject({ endReason: 'call_ended', durationMs: 1000, queue, outcome: 'answered', holds: [] });
    // A second end (another instance finishing it too) changes nothing.
    const client = await pool.connect();
    await projectRecordings(client, [
      stamp(ctx(), {
        type: 'call.recorded',
        callId: r.callId,
        recordingId: r.recordingId,
        name: r.name,
        durationMs: 5,
        sizeBytes: 5,
        endReason: 'recovered',
      }),
    ]);
    client.release();
    expect((await repo.get(r.recordingId))!.durationMs).toBe(1000);
  });

  it('a file is complete only once its header holds its sizes; its facts are its length, size and SHA-256', async () => {
    const name = `calls/test-${tag}/open`;
    mkdirSync(path.dirname(files.pathOf(name)), { recursive: true });
    writeFileSync(files.pathOf(name), wav(2, false));
    const t0 = Date.now();
    expect(await files.waitComplete(name, 600, 100)).toEqual({ size: 44 + 32000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    const body = wav(2);
    writeFileSync(files.pathOf(name), body);
    expect(await files.waitComplete(name, 3000, 100)).toEqual({ size: body.length });
    const f = await files.facts(name);
    expect(f).toEqual({ sizeBytes: body.length, durationMs: 2000, sha256: createHash('sha256').update(body).digest('hex') });
    expect(await files.waitComplete(`calls/test-${tag}/none`, 300, 100)).toBeUndefined();
    expect(() => files.pathOf('../../etc/passwd')).toThrow(/not a recording name/);
  });

  it('retention deletes expired files, keeps those on hold, leaves the rest, and records the run and each deletion', async () => {
    const expired = await recorded({ daysAgo: 40, retentionDays: 30 });
    const held = await recorded({ daysAgo: 40, retentionDays: 30 });
    const young = await recorded({ daysAgo: 10, retentionDays: 30 });
    await service.hold({ id: 'quality', role: 'quality', via: 'session' }, held.recordingId, { reason: 'complaint', ref: 'TS-2026-001' });
    published.length = 0;

    const run = await service.retention();
    expect(run.deleted).toBeGreaterThanOrEqual(1);
    expect(run.keptOnHold).toBeGreaterThanOrEqual(1);
    expect(existsSync(files.pathOf(expired.name))).toBe(false);
    expect(existsSync(files.pathOf(held.name))).toBe(true);
    expect(existsSync(files.pathOf(young.name))).toBe(true);
    expect((await repo.get(expired.recordingId))!).toMatchObject({ deletedBy: 'retention' });
    expect((await repo.get(expired.recordingId))!.deletedAt).not.toBeNull();
    expect((await repo.get(held.recordingId))!.deletedAt).toBeNull();
    expect((await repo.get(young.recordingId))!.deletedAt).toBeNull();
    expect(published.filter((e) => e.type === 'recording.deleted').map((e) => (e as { recordingId: string }).recordingId)).toContain(
      expired.recordingId,
    );
    const [last] = await repo.runs(1);
    expect(last).toMatchObject({ id: run.runId, deleted: run.deleted, keptOnHold: run.keptOnHold });
    expect(last!.finishedAt).not.toBeNull();
    expect(last!.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recordingId: expired.recordingId, action: 'deleted' }),
        expect.objectContaining({ recordingId: held.recordingId, action: 'kept_on_hold' }),
      ]),
    );

    // Released, the held one goes at the next run.
    const h = (await repo.get(held.recordingId))!.holds[0]!;
    await service.release({ id: 'quality', role: 'quality', via: 'session' }, held.recordingId, h.id);
    await service.retention();
    expect(existsSync(files.pathOf(held.name))).toBe(false);
  });

  it('a hold placed after the job picked a recording still wins: the deletion is refused in the same statement', async () => {
    const r = await recorded({ daysAgo: 40, retentionDays: 30 });
    const picked = (await repo.expired(new Date(now), 1000)).find((c) => c.id === r.recordingId);
    expect(picked?.held).toBe(false);
    await repo.addHold({ id: uuidv7(), recordingId: r.recordingId, reason: 'workorder', ref: 'WO-1', note: null, by: 'sup' });
    expect(await repo.markDeleted(r.recordingId, 'retention')).toBe(false);
    expect((await repo.get(r.recordingId))!.deletedAt).toBeNull();
  });

  it('a recording whose call ended but which no instance finished is finished by recover(), as recovered', async () => {
    const r = await recorded({ daysAgo: 0, retentionDays: 30, finished: false, callEndedMsAgo: 120_000, seconds: 3 });
    published.length = 0;
    expect(await service.recover()).toBeGreaterThanOrEqual(1);
    const ev = published.find((e) => e.type === 'call.recorded' && e.recordingId === r.recordingId);
    expect(ev).toMatchObject({ endReason: 'recovered', durationMs: 3000, sizeBytes: 44 + 48000 });
  });
});
