import type { FastifyInstance } from 'fastify';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Validates requests with TypeBox rather than Fastify's Ajv, which silently drops unknown
 * fields: here an unknown field is an error that names it. Applies to the plugin it is called in.
 * `unknownField` is what an unknown one is called out as (reports say "is not an allowed parameter").
 */
export function strictValidation(app: FastifyInstance, unknownField = 'is not an allowed field'): void {
  // TypeBox knows no formats of its own; the API uses this one (RFC 3339 times).
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)));
  app.setValidatorCompiler(({ schema }) => {
    const check = TypeCompiler.Compile(schema as TSchema);
    return (data: unknown) => {
      if (check.Check(data)) return { value: data };
      const e = check.Errors(data).First();
      const where = e?.path ?? '';
      const message = !e
        ? 'is not valid'
        : e.message === 'Unexpected property'
          ? unknownField
          : e.message === 'Expected required property'
            ? 'is required'
            : e.message.replace(/^Expected/, 'expected');
      return { error: [{ instancePath: where, message, keyword: 'typebox', params: {}, schemaPath: '' }] };
    };
  });
}
