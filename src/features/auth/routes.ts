import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ROLES } from '../../core/auth/access.js';
import { AccountInputError, type AuthService } from './auth-service.js';
import { strictValidation } from '../../http/typebox-validator.js';
import { bearerOf } from '../../http/auth.js';
import { clearSessionCookie, csrfTokenFor, setSessionCookie } from '../../http/browser-session.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';

const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const ToolRole = Type.Union((['admin', 'supervisor', 'readonly'] as const).map((r) => Type.Literal(r)));
const Username = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,39}$', description: 'lower case, 2 to 40 characters' });
const Password = Type.String({ minLength: 10, maxLength: 256, description: 'at least 10 characters' });
const AgentId = Type.String({ pattern: '^[0-9]{3,6}$' });
const Department = Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$', description: "a liaison's department (GET /api/departments)" });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Error_ = Type.Object({ error: Type.String() });

const AccountView = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: Role,
  agentId: Nullable(Type.String()),
  department: Nullable(Type.String()),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  createdBy: Type.String(),
  createdAt: Type.String(),
  expiresAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
});
const Me = Type.Object({
  id: Type.String(),
  role: Role,
  via: Type.String(),
  agentId: Nullable(Type.String()),
  department: Nullable(Type.String({ description: "a liaison's department: the work orders it sees" })),
  displayName: Nullable(Type.String()),
  csrfToken: Nullable(Type.String({ description: 'signed in with the session cookie: the X-CSRF-Token header its writes need' })),
});
const Credentials = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 40 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

/** What the service answers with; the API's own shapes above are mapped from them field by field, so a new column is not published by accident. */
type Account = NonNullable<Awaited<ReturnType<AuthService['account']>>>;
type ApiKey = Awaited<ReturnType<AuthService['apiKeys']>>[number];

const accountView = (a: Account): Static<typeof AccountView> => ({
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  agentId: a.agentId,
  department: a.department,
  disabled: a.disabled,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
});
const apiKeyView = (k: ApiKey): Static<typeof ApiKeyView> => ({
  id: k.id,
  name: k.name,
  role: k.role,
  createdBy: k.createdBy,
  createdAt: k.createdAt,
  expiresAt: k.expiresAt,
  revokedAt: k.revokedAt,
  lastUsedAt: k.lastUsedAt,
});

/**
 * Sign in and out; accounts (people, admin only) and API keys (tools, admin only). Every
 * change is written to the audit log with the account before and after (never a secret).
 */
export function accountRoutes(d: { auth: AuthService; csrfKey: string; agentExists: (agentId: string) => Promise<boolean> }): TypedPlugin {
  const { auth } = d;
  return async (app) => {
    strictValidation(app);

    const refuse = (reply: FastifyReply, err: unknown) => {
      if (err instanceof AccountInputError) return reply.code(err.status).send({ error: `body${err.field}: ${err.message}` });
      throw err;
    };
    /** One sign-in, by token (tools) or cookie (browsers): rate-limited and audited alike. */
    const signIn = async (username: string, password: string, ip: string, audit: FastifyRequest['audit']) => {
      const r = await auth.login(username, password, ip);
      if (!r.ok && r.problem === 'rate_limited')
        return {
          ok: false as const,
          status: 429 as const,
          retryAfter: String(r.retryAfterS),
          error: `too many failed logins: try again in ${r.retryAfterS} s`,
        };
      await audit({
        action: r.ok ? 'auth.login' : 'auth.login_failed',
        targetKind: 'account',
        targetId: username.toLowerCase(),
        before: null,
        after: null,
      });
      if (!r.ok) return { ok: false as const, status: 401 as const, retryAfter: '0', error: 'user name or password is wrong' };
      return r;
    };
    const checkAgent = async (agentId: string | null | undefined) => {
      if (agentId && !(await d.agentExists(agentId))) throw new AccountInputError('/agentId', `agent ${agentId} does not exist`);
    };

    app.post(
      '/api/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in: a session token for the Authorization header',
          security: [],
          body: Credentials,
          response: {
            200: Type.Object({
              token: Type.String(),
              expiresAt: Type.String(),
              username: Type.String(),
              role: Role,
              agentId: Nullable(Type.String()),
            }),
            401: Error_,
            429: Error_,
          },
        },
      },
      async (req, reply) => {
        const r = await signIn(req.body.username, req.body.password, req.ip, req.audit.bind(req));
        if (!r.ok) return reply.code(r.status).header('retry-after', r.retryAfter).send({ error: r.error });
        return { token: r.token, expiresAt: r.expiresAt, username: r.account.username, role: r.account.role, agentId: r.account.agentId };
      },
    );

    app.post(
      '/api/auth/session',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in from a browser: the session as an HttpOnly, SameSite=Strict cookie, and the CSRF token its writes need',
          security: [],
          body: Credentials,
          response: {
            200: Type.Object({
              csrfToken: Type.String(),
              expiresAt: Type.String(),
              username: Type.String(),
              role: Role,
              agentId: Nullable(Type.String()),
            }),
            401: Error_,
            429: Error_,
          },
        },
      },
      async (req, reply) => {
        const r = await signIn(req.body.username, req.body.password, req.ip, req.audit.bind(req));
        if (!r.ok) return reply.code(r.status).header('retry-after', r.retryAfter).send({ error: r.error });
        setSessionCookie(reply, r.token, r.expiresAt, req.protocol === 'https');
        return {
          csrfToken: csrfTokenFor(r.token, d.csrfKey),
          expiresAt: r.expiresAt,
          username: r.account.username,
          role: r.account.role,
          agentId: r.account.agentId,
        };
      },
    );

    app.delete(
      '/api/auth/session',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign out from a browser: ends the session and clears its cookie',
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        await auth.logout(bearerOf(req));
        clearSessionCookie(reply, req.protocol === 'https');
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/auth/logout',
      { schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null() } } },
      async (req, reply) => {
        await auth.logout(bearerOf(req));
        return reply.code(204).send(null);
      },
    );

    app.get('/api/me', { schema: { tags: ['auth'], summary: 'Who this token belongs to', response: { 200: Me } } }, async (req) => {
      const p = req.principal!;
      const account = p.via === 'session' ? await auth.account(p.id) : undefined;
      return {
        id: p.id,
        role: p.role,
        via: p.via,
        agentId: p.agentId ?? null,
        department: p.department ?? null,
        displayName: account?.displayName ?? null,
        csrfToken: req.viaCookie ? csrfTokenFor(bearerOf(req), d.csrfKey) : null,
      };
    });

    app.post(
      '/api/me/password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Change your own password (ends your sessions)',
          body: Type.Object(
            { current: Type.String({ minLength: 1, maxLength: 256 }), password: Password },
            { additionalProperties: false },
          ),
          response: { 204: Type.Null(), 401: Error_, 409: Error_ },
        },
      },
      async (req, reply) => {
        const p = req.principal!;
        if (p.via !== 'session')
          return reply.code(409).send({ error: `a ${p.via === 'api_key' ? 'API key' : 'bootstrap token'} has no password` });
        const b = req.body;
        if (!(await auth.changeOwnPassword(p.id, b.current, b.password)))
          return reply.code(401).send({ error: 'body/current: the current password is wrong' });
        await req.audit({
          action: 'account.password',
          targetKind: 'account',
          targetId: p.id,
          before: null,
          after: { passwordChanged: true },
        });
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/accounts',
      { schema: { tags: ['accounts'], summary: 'Every account', response: { 200: Type.Array(AccountView) } } },
      async () => (await auth.accounts()).map(accountView),
    );

    app.post(
      '/api/accounts',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Create an account',
          body: Type.Object(
            {
              username: Username,
              displayName: Type.String({ minLength: 1, maxLength: 64 }),
              role: Role,
              password: Password,
              agentId: Type.Optional(AgentId),
              department: Type.Optional(Department),
            },
            { additionalProperties: false },
          ),
          response: { 201: AccountView, 400: Error_, 409: Error_, 422: Error_ },
        },
      },
      async (req, reply) => {
        const b = req.body;
        try {
          await checkAgent(b.agentId);
          const a = accountView(await auth.createAccount(b));
          await req.audit({ action: 'account.create', targetKind: 'account', targetId: a.username, before: null, after: a });
          return reply.code(201).send(a);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.patch(
      '/api/accounts/:username',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Change an account (a new password, role or disabling ends its sessions)',
          params: Type.Object({ username: Username }),
          body: Type.Object(
            {
              displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
              role: Type.Optional(Role),
              agentId: Type.Optional(Type.Union([AgentId, Type.Null()])),
              department: Type.Optional(Type.Union([Department, Type.Null()])),
              password: Type.Optional(Password),
              disabled: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: AccountView, 400: Error_, 404: Error_, 422: Error_ },
        },
      },
      async (req, reply) => {
        const { username } = req.params;
        const b = req.body;
        try {
          await checkAgent(b.agentId);
          const r = await auth.updateAccount(username, b);
          const before = accountView(r.before);
          const after = accountView(r.after);
          await req.audit({
            action: 'account.update',
            targetKind: 'account',
            targetId: username,
            before,
            after: { ...after, ...(b.password ? { passwordChanged: true } : {}) },
          });
          return after;
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.delete(
      '/api/accounts/:username',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Disable an account (kept so the audit log still names it); ends its sessions',
          params: Type.Object({ username: Username }),
          response: { 200: AccountView, 404: Error_, 409: Error_ },
        },
      },
      async (req, reply) => {
        const { username } = req.params;
        if (req.principal?.via === 'session' && req.principal.id === username)
          return reply.code(409).send({ error: 'an admin cannot disable their own account' });
        try {
          const r = await auth.updateAccount(username, { disabled: true });
          const before = accountView(r.before);
          const after = accountView(r.after);
          await req.audit({ action: 'account.disable', targetKind: 'account', targetId: username, before, after });
          return after;
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/api-keys',
      { schema: { tags: ['accounts'], summary: 'API keys (never the keys themselves)', response: { 200: Type.Array(ApiKeyView) } } },
      async () => (await auth.apiKeys()).map(apiKeyView),
    );

    app.post(
      '/api/api-keys',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Make an API key for a tool; the key is shown only in this answer',
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 64 }),
              role: ToolRole,
              expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ key: Type.String(), apiKey: ApiKeyView }), 422: Error_ },
        },
      },
      async (req, reply) => {
        const b = req.body;
        try {
          const r = await auth.createApiKey({ ...b, createdBy: req.principal!.id });
          const apiKey = apiKeyView(r.apiKey);
          await req.audit({ action: 'api_key.create', targetKind: 'api_key', targetId: apiKey.id, before: null, after: apiKey });
          return reply.code(201).send({ key: r.key, apiKey });
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.delete(
      '/api/api-keys/:id',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Revoke an API key',
          params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,20}$' }) }),
          response: { 200: ApiKeyView, 404: Error_ },
        },
      },
      async (req, reply) => {
        const { id } = req.params;
        const revoked = await auth.revokeApiKey(id);
        if (!revoked) return reply.code(404).send({ error: `API key ${id} does not exist` });
        const k = apiKeyView(revoked);
        await req.audit({ action: 'api_key.revoke', targetKind: 'api_key', targetId: id, before: null, after: k });
        return k;
      },
    );
  };
}
