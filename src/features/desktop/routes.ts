import type { WebSocket } from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import type { DesktopChannel } from './desktop-channel.js';

/** Open desktop channels per account or API key: a few tabs, not a flood. */
export const DESKTOP_PER_PRINCIPAL = 5;
/** Each open socket's session is checked again this often: a revoked session's desktop closes within it. */
export const DESKTOP_RECHECK_MS = 5000;
/** Close codes as on /api/live (features/live/routes.ts): the HTTP statuses they stand for. */
export const CLOSE_REVOKED = 4401;
export const CLOSE_TOO_MANY = 4429;

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const NumOrNull = Type.Union([Type.Number(), Type.Null()]);
const StrOrNull = Nullable(Type.String());
const State = Type.Union(['logged_out', 'available', 'reserved', 'on_call', 'wrap_up', 'paused'].map((s) => Type.Literal(s)));

/** What each message on the channel is (DesktopView plus the time it was sent). */
const Frame = Type.Object({
  at: Type.Number({ description: 'when the server sent it (ms since the epoch): the page corrects its clock by it' }),
  agentId: Type.String(),
  name: Type.String(),
  state: State,
  registered: Type.Boolean(),
  since: NumOrNull,
  pauseReason: StrOrNull,
  wrapUntil: NumOrNull,
  answeredToday: NumOrNull,
  pop: Type.Union([
    Type.Null(),
    Type.Object({
      callId: Type.String(),
      caller: Type.String(),
      region: Type.Object({ kind: Type.String(), zh: Type.String(), en: Type.String() }),
      keys: Type.Array(Type.String()),
      nodes: Type.Array(Type.String()),
      queue: StrOrNull,
      lineLabel: StrOrNull,
      queuedAt: NumOrNull,
      answeredAt: NumOrNull,
      offeredAt: NumOrNull,
      history: Type.Array(
        Type.Object({
          callId: Type.String(),
          at: Type.Number(),
          agentId: StrOrNull,
          agentName: StrOrNull,
          outcome: StrOrNull,
          line: StrOrNull,
          subLine: StrOrNull,
          summary: StrOrNull,
        }),
      ),
    }),
  ]),
});

/**
 * GET /api/agents/:id/live (WebSocket): the agent desktop's channel. Its view on connect and on
 * every change of the agent (state, offer), screen pop included. An agent account opens its own
 * only; supervisors and admins may watch any (core/auth/access.ts). Limits as /api/live: frames
 * from the client are refused past a small size (it sends nothing), a few sockets per account,
 * and the session is checked again every few seconds (4401 when revoked).
 */
export function desktopRoutes(d: { channel: DesktopChannel; recheckMs?: number; perPrincipal?: number }): TypedPlugin {
  return async (app) => {
    const perPrincipal = new Map<string, number>();
    const byToken = new Map<FastifyRequest, Set<WebSocket>>();
    let rechecker: NodeJS.Timeout | undefined;
    const recheck = async () => {
      await Promise.all(
        [...byToken].map(async ([req, sockets]) => {
          const still = await req.reauthenticate().catch(() => 'unknown' as const);
          // A failed lookup (database away) is not a revocation: the next round decides.
          if (still === 'unknown') return;
          if (still?.id === req.principal?.id && still?.role === req.principal?.role && still?.agentId === req.principal?.agentId) return;
          for (const s of sockets) s.close(CLOSE_REVOKED, 'session ended or revoked');
        }),
      );
    };
    app.addHook('preClose', async () => {
      clearInterval(rechecker);
      d.channel.stop();
    });

    app.get(
      '/api/agents/:id/live',
      {
        websocket: true,
        schema: {
          tags: ['agents'],
          summary: "WebSocket: the agent desktop's view (state, screen pop with the caller's history) on connect and on every change",
          params: Type.Object({ id: Type.String({ pattern: '^[0-9]{3,6}$' }) }, { additionalProperties: false }),
          response: {
            101: {
              description: 'Switching Protocols; then one JSON message per change',
              content: { 'application/json': { schema: Frame } },
            },
          },
        },
      },
      (socket, req) => {
        const who = req.principal?.id ?? '';
        const limit = d.perPrincipal ?? DESKTOP_PER_PRINCIPAL;
        const open = perPrincipal.get(who) ?? 0;
        if (open >= limit) {
          socket.close(CLOSE_TOO_MANY, `at most ${limit} desktop connections per account or key`);
          return;
        }
        perPrincipal.set(who, open + 1);
        const mine = byToken.get(req) ?? new Set<WebSocket>();
        mine.add(socket);
        byToken.set(req, mine);
        rechecker ??= setInterval(() => void recheck(), d.recheckMs ?? DESKTOP_RECHECK_MS);
        const unwatch = d.channel.watch(req.params.id, (frame) => {
          if (socket.readyState === 1) socket.send(JSON.stringify(frame));
        });
        socket.on('close', () => {
          unwatch();
          const left = (perPrincipal.get(who) ?? 1) - 1;
          if (left > 0) perPrincipal.set(who, left);
          else perPrincipal.delete(who);
          mine.delete(socket);
          if (!mine.size) byToken.delete(req);
          if (byToken.size) return;
          clearInterval(rechecker);
          rechecker = undefined;
        });
      },
    );
  };
}
