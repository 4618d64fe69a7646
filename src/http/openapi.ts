import type { FastifyInstance, FastifySchema } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';

/** What app.ts's error handler and the auth hook send. */
const ErrorReply = Type.Object({ error: Type.String(), code: Type.Optional(Type.String()) });

/**
 * Statuses every route can answer without saying so in its own schema: the auth hook's 401/403,
 * and 400 from schema validation. Added to the document only; the routes are left as written.
 */
function commonResponses(schema: FastifySchema | undefined, websocket: boolean): FastifySchema {
  const s = { ...(schema ?? {}) } as FastifySchema & { hide?: boolean; security?: unknown[]; response?: Record<string, unknown> };
  // @fastify/websocket hides its routes; /api/live is part of the API all the same.
  if (websocket) s.hide = false;
  const response = { ...(s.response ?? {}) };
  const add = (code: number, description: string) => (response[code] ??= { ...ErrorReply, description });
  if (s.body || s.querystring || s.params) add(400, 'a parameter or the body does not match the schema; the message names the field');
  if (!Array.isArray(s.security) || s.security.length > 0) {
    add(401, 'no or unknown bearer token');
    add(403, "the token's role may not use this route");
  }
  s.response = response;
  return s;
}

/**
 * The OpenAPI document, built from the routes' own schemas, at /docs (UI) and /docs/json.
 * Registered before any route, since it collects routes as they are added. OpenAPI 3.1 because
 * its schemas are JSON Schema: TypeBox's const, patternProperties and null unions pass as written
 * (TypeBox's Kind symbols do not survive JSON, which is what we want).
 * /docs is behind the same authentication as the API (the auth hook covers it).
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '12366 contact-center API',
        description: 'Ops API of the 12366 tax hotline: IVR menus, routing rules, agents, callbacks, reports, live figures.',
        version: '1',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: ({ schema, url, route }) => ({ schema: commonResponses(schema, route.websocket === true), url }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
