import type { ReactNode } from 'react';
import { problemAt, problemsUnder, type Problem } from './problems';

/**
 * A Form.Item's error state for one document field, from the problems the API named: the message
 * sits under the field (role=alert, so it is announced and tests find it there).
 */
export function fieldError(problems: readonly Problem[], field: string, deep = false): { validateStatus?: 'error'; help?: ReactNode } {
  // `deep`: also what is under it (a step's skills: "…/skills/vat").
  const msg = deep
    ? problemsUnder(problems, field)
        .map((p) => p.message)
        .join('; ') || undefined
    : problemAt(problems, field);
  return msg
    ? {
        validateStatus: 'error',
        help: (
          <span role="alert" data-field={field}>
            {msg}
          </span>
        ),
      }
    : {};
}
