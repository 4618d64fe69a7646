import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import pino, { type Logger, type LoggerOptions } from 'pino';

/** pretty: human-readable lines (pino-pretty); json: one JSON object a line; auto: pretty on a terminal. */
export type LogFormat = 'auto' | 'pretty' | 'json';

/**
 * The service's logger. JSON is what a log collector reads (docker logs, journald), so it is the
 * default whenever stdout is not a terminal; a person at a terminal gets pino-pretty's lines.
 *
 * pino-pretty stays a devDependency, loaded only if installed: the production image installs
 * production dependencies only and runs without a terminal, where JSON is wanted anyway, so it
 * need not carry pino-pretty and its dependencies. Asked for (LOG_FORMAT=pretty) where it is not
 * installed, the logger says so once and writes JSON rather than failing to start.
 *
 * isatty(1) rather than process.stdout.isTTY: a worker thread's process.stdout is a pipe to the
 * main thread, while fd 1 is the process's own, so the reports thread decides as the main one does.
 */
export function createLogger(opts: LoggerOptions & { format?: LogFormat }): Logger {
  const { format = 'auto', ...options } = opts;
  const wantPretty = format === 'pretty' || (format === 'auto' && isatty(1));
  if (!wantPretty) return pino(options);
  const pretty = loadPinoPretty();
  if (!pretty) {
    const log = pino(options);
    if (format === 'pretty') log.warn('LOG_FORMAT=pretty but pino-pretty is not installed: logging JSON');
    return log;
  }
  // As a stream in this thread (not a pino transport thread): synchronous, so a line written just
  // before the process exits is not lost, and one thread fewer for a terminal session.
  return pino(options, pretty({ colorize: isatty(1), sync: true }));
}

type PrettyFactory = (o: { colorize?: boolean; sync?: boolean }) => NodeJS.WritableStream;

function loadPinoPretty(): PrettyFactory | undefined {
  try {
    return createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}
