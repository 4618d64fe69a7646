/**
 * Where a form shows the API's validation error. The API names the request field
 * ("skills/vat", "queues/0", "username"); a form's item is usually the field's first segment,
 * and a cell of the skills matrix is the whole path.
 */

/** The form item an API field belongs to, among `items`; undefined when none (the error then shows above the form). */
export function formItemFor<K extends string>(
  field: string | undefined,
  items: readonly K[],
  aliases: Readonly<Record<string, K>> = {},
): K | undefined {
  if (!field) return undefined;
  if ((items as readonly string[]).includes(field)) return field as K;
  const head = field.split('/')[0]!;
  const name = aliases[head] ?? head;
  return (items as readonly string[]).includes(name) ? (name as K) : undefined;
}

/** "skills/vat" → "vat": the skill a matrix cell error belongs to, if the field names one. */
export function skillOfField(field: string | undefined): string | undefined {
  const m = /^skills\/([^/]+)$/.exec(field ?? '');
  return m?.[1];
}
