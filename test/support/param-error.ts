import { ParamError } from '../../src/features/reports/params.js';

/** What a report-parameter check says about `f`'s input: its ParamError message, or why there is none. */
export function paramError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof ParamError ? e.message : `not a ParamError: ${String(e)}`;
  }
  return 'no error';
}
