import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { parseYamlOffThread, YamlSyntaxError } from '../../shared/yaml-off-thread.js';
import type { ActivateResult, ConfigProblem, UploadResult } from './catalog.js';

/**
 * The largest upload taken, JSON or YAML. The shipped IVR tree is 6 KB; the size bounds of each
 * configuration (IVR_LIMITS, ROUTING_LIMITS) fit well inside. A larger body is refused with a 413
 * before it is read (by Content-Length) or as soon as it passes the limit, never parsed.
 */
export const CONFIG_BODY_LIMIT = 1024 * 1024;

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
const Active = Type.Object({
  active: Type.Integer(),
  warnings: Type.Optional(
    Type.Array(Problem, { description: 'activated, but worth acting on: e.g. agents still serving a queue this version dropped' }),
  ),
});
const VersionRow = Type.Object({
  version: Type.Integer(),
  name: Type.Optional(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  comment: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
});
/** A version as the API lists it, before `active` is added: the route's own shape, not the store's row. */
type VersionListing = Omit<Static<typeof VersionRow>, 'active'>;

/** What the routes need of a versioned configuration: VersionedCatalog (catalog.ts) offers it. */
export interface VersionedConfig {
  upload(body: unknown, by: string, comment?: string): Promise<UploadResult>;
  list(): Promise<VersionListing[]>;
  get(version: number): Promise<object | undefined>;
  activeVersion(): Promise<number>;
  activate(version: number, by: string, reason: 'activate' | 'rollback'): Promise<ActivateResult>;
  previous(): Promise<number | undefined>;
}

/**
 * YAML is how ops write configuration; a parse error is reported with its line. Parsed on a
 * worker thread (shared/yaml-off-thread.ts): parsing a large document here would stall calls.
 */
export function acceptYaml(app: FastifyInstance): void {
  for (const type of ['application/yaml', 'text/yaml', 'application/x-yaml']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, async (_req: unknown, body: string | Buffer) => {
      try {
        return await parseYamlOffThread(body.toString());
      } catch (err) {
        if (err instanceof YamlSyntaxError) throw Object.assign(new Error(err.message), { statusCode: 400 });
        throw err;
      }
    });
  }
}

/** Fastify's 413 says only "Request body is too large": this one names the limit. */
function nameTheLimit(app: FastifyInstance, what: string): void {
  app.setErrorHandler((err: FastifyError) => {
    // Thrown on to the application's error handler, which answers every error alike.
    if (err.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
    throw Object.assign(new Error(`the ${what} must be at most ${CONFIG_BODY_LIMIT} bytes (1 MiB)`), { statusCode: 413, code: err.code });
  });
}

/** The answers to an activation or rollback the catalog refused: no such version (404), or its problems (422). */
const notFound = (what: string, version: number) => ({ error: `${what} version ${version} does not exist` });
const cannotActivate = (what: string, version: number, errors: ConfigProblem[]) => ({
  error: `${what} version ${version} cannot be activated: ${errors.length} problem(s)`,
  errors,
});

/**
 * Upload (JSON or YAML), list, read, activate and roll back versions of one configuration.
 * A rejected upload is a 422 listing every problem with its path; nothing is stored.
 * `what` names the configuration in summaries and messages ("IVR definition").
 */
export function configVersionRoutes(base: string, what: string, c: VersionedConfig): FastifyPluginAsync {
  const tags = [base.split('/').pop()!];
  // The audit log's name for this configuration: "ivr" or "routing".
  const kind = tags[0]!;
  return async (plugin) => {
    // In this plugin's own context, so the parser applies to these routes.
    acceptYaml(plugin);
    nameTheLimit(plugin, what);
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      `${base}/versions`,
      {
        bodyLimit: CONFIG_BODY_LIMIT,
        schema: {
          tags,
          summary: `Upload a new ${what} version (JSON or YAML); it is stored, not activated`,
          consumes: ['application/json', 'application/yaml', 'text/yaml', 'application/x-yaml'],
          // Checked by the service, not here, so every problem comes back at once with its path.
          body: Type.Unknown({
            description: `the ${what}, at most ${CONFIG_BODY_LIMIT} bytes (a larger one is a 413); a rejected one is a 422 listing every problem with its JSON pointer`,
          }),
          querystring: Type.Object({ comment: Type.Optional(Type.String({ maxLength: 500 })) }),
          response: {
            201: Type.Object({ version: Type.Integer() }),
            413: Type.Object({ error: Type.String(), code: Type.Optional(Type.String()) }),
            422: Invalid,
          },
        },
      },
      async (req, reply) => {
        const { comment } = req.query;
        const r = await c.upload(req.body, req.principal!.id, comment);
        if (!r.ok) return reply.code(422).send({ error: `${what} rejected: ${r.errors.length} problem(s)`, errors: r.errors });
        await req.audit({
          action: `${kind}.upload`,
          targetKind: kind,
          targetId: String(r.version),
          before: null,
          after: { version: r.version, comment: comment ?? null, config: await c.get(r.version) },
        });
        return reply.code(201).send({ version: r.version });
      },
    );

    app.get(
      `${base}/versions`,
      { schema: { tags, summary: `List ${what} versions`, response: { 200: Type.Array(VersionRow) } } },
      async () => {
        const active = await c.activeVersion();
        return (await c.list()).map((v) => ({ ...v, active: v.version === active }));
      },
    );

    app.get(
      `${base}/versions/:version`,
      {
        schema: {
          tags,
          summary: `Read one ${what} version as stored`,
          params: VersionParams,
          response: {
            200: Type.Object({}, { additionalProperties: true, description: `the ${what} as uploaded (after YAML parsing)` }),
            404: Failure,
          },
        },
      },
      async (req, reply) => {
        const { version } = req.params;
        const body = await c.get(version);
        return body ? reply.send(body) : reply.code(404).send(notFound(what, version));
      },
    );

    app.get(
      `${base}/active`,
      { schema: { tags, summary: `The active ${what} version`, response: { 200: Type.Object({ version: Type.Integer() }) } } },
      async () => ({
        version: await c.activeVersion(),
      }),
    );

    app.post(
      `${base}/versions/:version/activate`,
      {
        schema: {
          tags,
          summary: `Activate one ${what} version`,
          params: VersionParams,
          response: { 200: Active, 404: Failure, 422: Invalid },
        },
      },
      async (req, reply) => {
        const { version } = req.params;
        const was = await c.activeVersion();
        const r = await c.activate(version, req.principal!.id, 'activate');
        if (!r.ok)
          return 'missing' in r
            ? reply.code(404).send(notFound(what, version))
            : reply.code(422).send(cannotActivate(what, version, r.errors));
        await req.audit({
          action: `${kind}.activate`,
          targetKind: kind,
          targetId: String(version),
          before: { active: was },
          after: { active: version },
        });
        return { active: version, ...(r.warnings.length ? { warnings: r.warnings } : {}) };
      },
    );

    app.post(
      `${base}/rollback`,
      {
        schema: {
          tags,
          summary: `Activate the ${what} version active before this one`,
          response: { 200: Active, 404: Failure, 409: Failure, 422: Invalid },
        },
      },
      async (req, reply) => {
        const prev = await c.previous();
        if (prev === undefined) return reply.code(409).send({ error: `no earlier ${what} version has been active` });
        const was = await c.activeVersion();
        const r = await c.activate(prev, req.principal!.id, 'rollback');
        if (!r.ok)
          return 'missing' in r ? reply.code(404).send(notFound(what, prev)) : reply.code(422).send(cannotActivate(what, prev, r.errors));
        await req.audit({
          action: `${kind}.rollback`,
          targetKind: kind,
          targetId: String(prev),
          before: { active: was },
          after: { active: prev },
        });
        return { active: prev, ...(r.warnings.length ? { warnings: r.warnings } : {}) };
      },
    );
  };
}
