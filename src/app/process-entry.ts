import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createLogger } from '../shared/logger.js';
import { processMetrics } from '../features/live/routes.js';

/**
 * The service as a process (`node dist/main.js`): configuration from the environment (a bad value
 * named, exit 2), the logger, start (exit 1 on failure), and shutdown on SIGINT/SIGTERM.
 */
export async function runAsProcess(
  start: (config: Config, log: Logger, opts: { processMetrics?: Registry }) => Promise<{ url: string; stop: () => Promise<void> }>,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ level: config.LOG_LEVEL, base: { service: 'tax12366' }, format: config.LOG_FORMAT });
  let svc: { url: string; stop: () => Promise<void> };
  try {
    svc = await start(config, log, { processMetrics: processMetrics() });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'startup failed');
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  log.info({ http: svc.url, app: config.ARI_APP }, 'tax12366 ready');
  // A signal can arrive twice (tsx relays it to node, which its process group also got): a second
  // one must not end the process by default while the first is still draining it.
  let stopping: Promise<void> | undefined;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      stopping ??= svc.stop().then(() => process.exit(0));
    });
  }
}
