/** The IVR validation thread (see validate-thread.ts). */
import { validateDefinition } from '../../core/ivr/validate.js';
import { serveThreadCalls } from '../../shared/thread-calls.js';

serveThreadCalls({ validate: (input: unknown) => validateDefinition(input) });
