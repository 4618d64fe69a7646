import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import YAML from 'yaml';

/** Where a configuration problem is: a JSON pointer, and for IVR nodes the node and field. */
const Problem = Type.Object({
  path: Type.String(),
  nodeId: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  message: Type.String(),
});
const Invalid = Type.Object({ error: Type.String(), errors: Type.Array(Problem) });
const Failure = Type.Object({ error: Type.String() });
const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });
const VersionRow = Type.Object({
  version: Type.Integer(),
  name: Type.Optional(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  comment: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
});

export interface ConfigProblem {
  path: string;
  nodeId?: string;
  field?: string;
  message: string;
}

/** What a versioned configuration (IVR menus, routing rules) offers the API. */
export interface VersionedConfig {
  what: string;
  upload(body: unknown, by: string, comment?: string): Promise<{ ok: true; version: number } | { ok: false; errors: ConfigProblem[] }>;
  list(): Promise<Array<{ version: number; name?: string; createdAt: string; createdBy: string; comment: string | null }>>;
  get(version: number): Promise<unknown>;
  activeVersion(): Promise<number>;
  activate(version: number, by: string, reason: 'activate' | 'rollback'): Promise<boolean>;
  previous(): Promise<number | undefined>;
}

/** YAML is how ops write configuration; a parse error is reported with its line. */
export function acceptYaml(app: FastifyInstance): void {
  for (const type of ['application/yaml', 'text/yaml', 'application/x-yaml']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, YAML.parse(body as string, { prettyErrors: true }));
      } catch (err) {
        const e = err as Error & { linePos?: Array<{ line: number; col: number }> };
        const pos = e.linePos?.[0];
        const msg = `YAML is not well-formed${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`;
        done(Object.assign(new Error(msg), { statusCode: 400 }), undefined);
      }
    });
  }
}

/**
 * Upload (JSON or YAML), list, read, activate and roll back versions of one configuration.
 * A rejected upload is a 422 listing every problem with its path; nothing is stored.
 */
export function configVersionRoutes(base: string, c: VersionedConfig): FastifyPluginAsync {
  return async (app) => {
    // In this plugin's own context, so the parser applies to these routes.
    acceptYaml(app);

    app.post(`${base}/versions`, {
      schema: {
        querystring: Type.Object({ comment: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 201: Type.Object({ version: Type.Integer() }), 422: Invalid },
      },
    }, async (req, reply) => {
      const { comment } = req.query as { comment?: string };
      const r = await c.upload(req.body, 'admin', comment);
      if (!r.ok) return reply.code(422).send({ error: `${c.what} rejected: ${r.errors.length} problem(s)`, errors: r.errors });
      return reply.code(201).send({ version: r.version });
    });

    app.get(`${base}/versions`, { schema: { response: { 200: Type.Array(VersionRow) } } }, async () => {
      const active = await c.activeVersion();
      return (await c.list()).map((v) => ({ ...v, active: v.version === active }));
    });

    app.get(`${base}/versions/:version`, { schema: { params: VersionParams, response: { 404: Failure } } }, async (req, reply) => {
      const { version } = req.params as { version: number };
      const body = await c.get(version);
      return body ?? reply.code(404).send({ error: `${c.what} version ${version} does not exist` });
    });

    app.get(`${base}/active`, { schema: { response: { 200: Type.Object({ version: Type.Integer() }) } } }, async () => ({
      version: await c.activeVersion(),
    }));

    app.post(`${base}/versions/:version/activate`, {
      schema: { params: VersionParams, response: { 200: Type.Object({ active: Type.Integer() }), 404: Failure } },
    }, async (req, reply) => {
      const { version } = req.params as { version: number };
      if (!(await c.activate(version, 'admin', 'activate'))) return reply.code(404).send({ error: `${c.what} version ${version} does not exist` });
      return { active: version };
    });

    app.post(`${base}/rollback`, { schema: { response: { 200: Type.Object({ active: Type.Integer() }), 409: Failure } } }, async (_req, reply) => {
      const prev = await c.previous();
      if (prev === undefined) return reply.code(409).send({ error: `no earlier ${c.what} version has been active` });
      await c.activate(prev, 'admin', 'rollback');
      return { active: prev };
    });
  };
}
