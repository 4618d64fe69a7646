import send from '@fastify/send';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { HOLD_NOTE_MAX, HOLD_REASONS, HOLD_REF_PATTERN } from '../../core/recordings/access.js';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { RecordingError, type RecordingService } from './recording-service.js';

const Nullable = <T extends ReturnType<typeof Type.String | typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const Error_ = Type.Object({ error: Type.String() });
const Id = Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'the recording id' });
const HoldReason = Type.Union(
  HOLD_REASONS.map((r) => Type.Literal(r)),
  { description: 'complaint 投诉, workorder 工单' },
);
const Hold = Type.Object({
  id: Type.String(),
  reason: HoldReason,
  ref: Type.String(),
  note: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
const Recording = Type.Object({
  id: Type.String(),
  callId: Type.String(),
  kind: Type.Union([Type.Literal('mix'), Type.Literal('caller'), Type.Literal('agent')]),
  name: Type.String({ description: 'the file under the recordings directory, without extension' }),
  queue: Type.String(),
  agentId: Nullable(Type.String()),
  agentName: Nullable(Type.String()),
  caller: Type.String(),
  startedAt: Type.String(),
  endedAt: Nullable(Type.String({ description: 'null while the call is being recorded' })),
  durationMs: Nullable(Type.Number()),
  sizeBytes: Nullable(Type.Number()),
  sha256: Nullable(Type.String()),
  endReason: Nullable(Type.String({ description: 'call_ended, recovered (finished after a restart), missing, failed' })),
  outcome: Nullable(Type.String({ description: "the call's outcome" })),
  retentionDays: Type.Number(),
  expiresAt: Type.String(),
  deletedAt: Nullable(Type.String({ description: 'when retention deleted the file' })),
  holds: Type.Array(Hold, { description: 'active holds: retention keeps the file while any is on' }),
  reviewed: Type.Boolean({ description: 'a quality review scored it' }),
});
type RecordingView = Static<typeof Recording>;
const Iso = Type.String({ format: 'date-time', maxLength: 40 });
const ListQuery = Type.Object(
  {
    from: Type.Optional(Iso),
    to: Type.Optional(Iso),
    caller: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{1,20}$', description: "the caller's number, or its first digits" })),
    agentId: Type.Optional(Type.String({ pattern: '^[0-9]{3,6}$' })),
    queue: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' })),
    outcome: Type.Optional(Type.String({ pattern: '^[a-z_]{1,30}$' })),
    callId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
    kind: Type.Optional(
      Type.Union([Type.Literal('mix'), Type.Literal('caller'), Type.Literal('agent')], {
        description: 'mix: the conversation; caller / agent: one party (queues recording legs)',
      }),
    ),
    // Query strings are text and the validator does not coerce: a number 1-200 as digits.
    limit: Type.Optional(Type.String({ pattern: '^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$', description: '1-200 (default 50)' })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/**
 * Recordings (录音): listing and playback for those allowed (core/recordings/access.ts), holds for
 * complaints and work orders, and the retention job's runs. Playback answers range requests (a
 * player seeks); a playback is audited once, at its first byte (a request without Range or from
 * byte 0), so seeking within it does not write an entry per range.
 */
export function recordingRoutes(d: { recordings: RecordingService }): TypedPlugin {
  const r = d.recordings;
  const view = (x: Awaited<ReturnType<RecordingService['get']>>): RecordingView => ({
    id: x.id,
    callId: x.callId,
    kind: x.kind,
    name: x.name,
    queue: x.queue,
    agentId: x.agentId,
    agentName: x.agentName,
    caller: x.caller,
    startedAt: x.startedAt,
    endedAt: x.endedAt,
    durationMs: x.durationMs,
    sizeBytes: x.sizeBytes,
    sha256: x.sha256,
    endReason: x.endReason,
    outcome: x.outcome,
    retentionDays: x.retentionDays,
    expiresAt: x.expiresAt,
    deletedAt: x.deletedAt,
    holds: x.holds,
    reviewed: x.reviewed,
  });
  const refuse = (reply: FastifyReply, err: unknown) => {
    if (err instanceof RecordingError) return reply.code(err.status).send({ error: `${err.field}: ${err.message}` });
    throw err;
  };
  const tags = ['recordings'];
  const Params = Type.Object({ id: Id }, { additionalProperties: false });

  return async (app) => {
    strictValidation(app, 'is not an allowed parameter');

    app.get(
      '/api/recordings',
      {
        schema: {
          tags,
          summary: 'Recorded calls, newest first (an agent: its own, when allowed)',
          querystring: ListQuery,
          response: { 200: Type.Object({ items: Type.Array(Recording), next: Type.Optional(Type.String()) }), 400: Error_, 403: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const { limit, ...q } = req.query;
          const out = await r.list(req.principal!, { ...q, ...(limit ? { limit: Number(limit) } : {}) });
          return { items: out.items.map(view), ...(out.next ? { next: out.next } : {}) };
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/recordings/:id',
      { schema: { tags, summary: 'One recording', params: Params, response: { 200: Recording, 403: Error_, 404: Error_ } } },
      async (req, reply) => {
        try {
          return view(await r.get(req.principal!, req.params.id));
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/recordings/:id/audio',
      {
        schema: {
          tags,
          summary: 'The recording as audio/wav; answers Range requests (206). Each playback is audited.',
          params: Params,
          response: {
            200: Type.Unknown({ description: 'the whole file, audio/wav' }),
            206: Type.Unknown({ description: 'the range asked for, audio/wav' }),
            403: Error_,
            404: Error_,
            409: Error_,
            416: Error_,
          },
        },
      },
      async (req, reply) => {
        let target;
        try {
          target = await r.audio(req.principal!, req.params.id);
        } catch (err) {
          return refuse(reply, err);
        }
        const range = req.headers.range;
        if (!range || /^bytes=0-/.test(range))
          await req.audit({
            action: 'recording.play',
            targetKind: 'recording',
            targetId: target.recording.id,
            before: null,
            after: { callId: target.recording.callId, agentId: target.recording.agentId, range: range ?? null },
          });
        const out = await send(req.raw, encodeURI(`/${target.file}`), {
          root: target.root,
          dotfiles: 'deny',
          index: false,
          cacheControl: false,
          etag: true,
          lastModified: true,
          acceptRanges: true,
        });
        if (out.type !== 'file') {
          const status = out.type === 'error' ? ((out.metadata.error as { status?: number }).status ?? 500) : 404;
          if (status === 416) return reply.code(416).send({ error: 'range: not satisfiable for this recording' });
          if (status === 404) return reply.code(404).send({ error: '/id: the recording file is missing' });
          throw out.type === 'error' ? out.metadata.error : new Error('not a file');
        }
        // A stream of bytes with the status send() chose (200, 206 or 304): not the JSON replies typed above.
        const raw = reply as unknown as FastifyReply;
        raw.code(out.statusCode).headers(out.headers).header('content-type', 'audio/wav');
        return raw.send(out.stream);
      },
    );

    app.post(
      '/api/recordings/:id/holds',
      {
        schema: {
          tags,
          summary: 'Put a recording on hold for a complaint or work order: retention will not delete it',
          params: Params,
          body: Type.Object(
            {
              reason: HoldReason,
              ref: Type.String({ pattern: HOLD_REF_PATTERN, description: 'the work order id or complaint number' }),
              note: Type.Optional(Type.String({ maxLength: HOLD_NOTE_MAX })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Hold, 400: Error_, 404: Error_, 409: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const h = await r.hold(req.principal!, req.params.id, req.body);
          await req.audit({ action: 'recording.hold', targetKind: 'recording', targetId: req.params.id, before: null, after: h });
          return reply.code(201).send(h);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.delete(
      '/api/recordings/:id/holds/:holdId',
      {
        schema: {
          tags,
          summary: 'Release a hold (retention deletes the file once it is past its expiry and no hold is left)',
          params: Type.Object({ id: Id, holdId: Type.String({ pattern: '^[0-9a-f-]{36}$' }) }, { additionalProperties: false }),
          response: { 204: Type.Null(), 404: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const h = await r.release(req.principal!, req.params.id, req.params.holdId);
          await req.audit({ action: 'recording.release_hold', targetKind: 'recording', targetId: req.params.id, before: h, after: null });
          return reply.code(204).send(null);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/recordings/retention/runs',
      {
        schema: {
          tags,
          summary: "The retention job's runs: what each deleted, and what it kept because of a hold",
          response: {
            200: Type.Array(
              Type.Object({
                id: Type.String(),
                startedAt: Type.String(),
                finishedAt: Nullable(Type.String()),
                deleted: Type.Number(),
                keptOnHold: Type.Number(),
                failed: Type.Number(),
                details: Type.Unknown(),
              }),
            ),
          },
        },
      },
      async () => r.runs(),
    );
  };
}
