import type { Problem } from '../../core/kb/article-input.js';

/** A refusal the routes answer as is: 400 names the field ("body/question: is required"), 403/404/409 say why. */
export class KbError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
  ) {
    super(message);
  }

  static invalid(problems: Problem[], where = 'body'): KbError {
    return new KbError(400, problems.map((p) => `${where}/${p.path}: ${p.message}`).join('; '));
  }
}
