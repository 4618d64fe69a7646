import type { Logger } from 'pino';
import type { ValidationResult } from '../../core/ivr/validate.js';
import { ThreadCalls } from '../../shared/thread-calls.js';

/**
 * An IVR upload's checks (core/ivr/validate.ts), on a thread of their own. The largest tree the
 * 1 MiB body and IVR_LIMITS allow takes 40 to 95 ms to check (npm run bench:ivr-validate): on the
 * thread that serves calls, every call's next step would wait that long behind one upload.
 */
export class IvrValidationThread {
  private readonly thread: ThreadCalls;

  constructor(log: Logger) {
    this.thread = new ThreadCalls({ name: 'IVR validation', entry: new URL('./validate-entry.js', import.meta.url), log });
  }

  /** What validateDefinition returns for the upload; the definition comes back as plain data. */
  validate(input: unknown): Promise<ValidationResult> {
    return this.thread.call('validate', input) as Promise<ValidationResult>;
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}
