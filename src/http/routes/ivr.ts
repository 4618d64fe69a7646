import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import YAML from 'yaml';
import type { IvrCatalog } from '../../services/ivr/catalog.js';
import type { PgIvrRepo } from '../../adapters/postgres/ivr-repo.js';

const IvrErrorSchema = Type.Object({
  path: Type.String(),
  nodeId: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  message: Type.String(),
});
const Invalid = Type.Object({ error: Type.String(), errors: Type.Array(IvrErrorSchema) });
const NotFound = Type.Object({ error: Type.String() });
const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });
const VersionRow = Type.Object({
  version: Type.Integer(), name: Type.String(), createdAt: Type.String(), createdBy: Type.String(),
  comment: Type.Union([Type.String(), Type.Null()]), active: Type.Boolean(),
});

/**
 * Ops API for IVR menus: upload a version (JSON or YAML), list, read, activate, roll back.
 * Calls already in the IVR keep the version they started on; new calls take the active one.
 */
export function ivrRoutes(d: { catalog: IvrCatalog; repo: PgIvrRepo }): FastifyPluginAsync {
  return async (app) => {
    // YAML is how ops write menus; a parse error is reported with its line, like any other error.
    for (const type of ['application/yaml', 'text/yaml', 'application/x-yaml']) {
      app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
        try {
          done(null, YAML.parse(body as string, { prettyErrors: true }));
        } catch (err) {
          const e = err as Error & { linePos?: Array<{ line: number; col: number }> };
          const pos = e.linePos?.[0];
          const wrapped = Object.assign(new Error(`YAML is not well-formed${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`), { statusCode: 400 });
          done(wrapped, undefined);
        }
      });
    }

    app.post('/api/ivr/versions', {
      schema: {
        querystring: Type.Object({ comment: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 201: Type.Object({ version: Type.Integer() }), 422: Invalid },
      },
    }, async (req, reply) => {
      const { comment } = req.query as { comment?: string };
      const r = await d.catalog.upload(req.body, 'admin', comment);
      if (!r.ok) return reply.code(422).send({ error: `IVR definition rejected: ${r.errors.length} problem(s)`, errors: r.errors });
      return reply.code(201).send({ version: r.version });
    });

    app.get('/api/ivr/versions', { schema: { response: { 200: Type.Array(VersionRow) } } }, async () => {
      const active = await d.catalog.activeVersion();
      return (await d.repo.list()).map((v) => ({ ...v, active: v.version === active }));
    });

    app.get('/api/ivr/versions/:version', {
      schema: { params: VersionParams, response: { 404: NotFound } },
    }, async (req, reply) => {
      const { version } = req.params as { version: number };
      const def = await d.repo.get(version);
      return def ? def : reply.code(404).send({ error: `IVR version ${version} does not exist` });
    });

    app.get('/api/ivr/active', { schema: { response: { 200: Type.Object({ version: Type.Integer() }) } } }, async () => ({
      version: await d.catalog.activeVersion(),
    }));

    app.post('/api/ivr/versions/:version/activate', {
      schema: { params: VersionParams, response: { 200: Type.Object({ active: Type.Integer() }), 404: NotFound } },
    }, async (req, reply) => {
      const { version } = req.params as { version: number };
      if (!(await d.catalog.activate(version, 'admin', 'activate'))) return reply.code(404).send({ error: `IVR version ${version} does not exist` });
      return { active: version };
    });

    app.post('/api/ivr/rollback', {
      schema: { response: { 200: Type.Object({ active: Type.Integer() }), 409: NotFound } },
    }, async (_req, reply) => {
      const prev = await d.repo.previous();
      if (prev === undefined) return reply.code(409).send({ error: 'no earlier IVR version has been active' });
      await d.catalog.activate(prev, 'admin', 'rollback');
      return { active: prev };
    });
  };
}
