/**
 * Where the API says a configuration is wrong: each problem at a JSON pointer ("/nodes/ntax.vat/queue",
 * "/queues/1/steps/0/afterS"). The pages show each message beside the field it names.
 */
export interface Problem {
  path: string;
  message: string;
}

/** "/queues/1/steps/0/afterS" → "queues/1/steps/0/afterS" (ApiError.field's form), and back unchanged. */
export const fieldOf = (path: string) => path.replace(/^\//, '');

/** The messages for exactly this field. */
export function problemAt(problems: readonly Problem[], field: string): string | undefined {
  const hits = problems.filter((p) => fieldOf(p.path) === field).map((p) => p.message);
  return hits.length ? hits.join('; ') : undefined;
}

/** Problems under a field that no input of the page shows by itself (e.g. a node as a whole), for a list above the form. */
export function problemsUnder(problems: readonly Problem[], prefix: string): Problem[] {
  return problems.filter((p) => fieldOf(p.path) === prefix || fieldOf(p.path).startsWith(`${prefix}/`));
}
