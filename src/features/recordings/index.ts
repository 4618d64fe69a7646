import { Redis } from 'ioredis';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { RecordingFiles } from '../../adapters/recordings/recording-files.js';
import type { EventsFeature } from '../events/index.js';
import { PgRecordingRepo } from './recording-repo.js';
import { RecordingService } from './recording-service.js';
import { RetentionJob } from './retention-job.js';
import { recordingRoutes } from './routes.js';
export { projectRecordings as recordingsProjection } from './recording-projection.js';

export interface RecordingsFeature extends Feature {
  service: RecordingService;
}

/**
 * Call recordings (docs/recording.md). Asterisk records the bridge (features/calls starts it as
 * the call is bridged and asks this feature to finish it when the call ends); this feature keeps
 * the table (recording-projection.ts, via the events feature), serves listing and playback, holds,
 * and runs the daily retention job.
 */
export function registerRecordings({ config, pool, keys, ctx, log }: Infrastructure, d: { events: EventsFeature }): RecordingsFeature {
  const service = new RecordingService({
    repo: new PgRecordingRepo(pool),
    files: new RecordingFiles(config.RECORDINGS_DIR),
    publish: d.events.publish,
    ctx,
    log: log.child({ feature: 'recordings' }),
    agentOwn: config.RECORDINGS_AGENT_OWN,
  });
  // BullMQ blocks on its connection and must never give up on a command: a connection of its own.
  let connection: Redis | undefined;
  let job: RetentionJob | undefined;
  return {
    service,
    routes: [recordingRoutes({ recordings: service })],
    start() {
      connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
      connection.on('error', (err) => log.debug({ err: err.message }, 'redis (recording retention) error'));
      job = new RetentionJob({
        connection,
        prefix: keys.bull,
        log,
        pattern: config.RECORDINGS_RETENTION_CRON,
        tz: config.TZ_NAME,
        run: async () => {
          await service.recover();
          return service.retention();
        },
      });
      job.start();
      // Recordings a stopped instance left unfinished get their facts now, not at tomorrow's run.
      void service.recover().catch((err: Error) => log.warn({ err: err.message }, 'unfinished recordings not checked at start'));
    },
    async stop() {
      await job?.stop();
      connection?.disconnect();
    },
  };
}
