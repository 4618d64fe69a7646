import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { DomainEvent } from '../../core/events.js';
import { Journal } from '../../adapters/outbox/journal.js';
import { HISTORY_LINGER_MS, PgEventStore, type Projection } from './event-store.js';
import { RedisEventStream } from './event-stream.js';
import { EventPublisher } from './publisher.js';

export interface EventsFeature extends Feature {
  publisher: EventPublisher;
  publish: (events: DomainEvent[]) => void;
}

/**
 * Every domain event: to a local outbox first (a store outage or a restart loses none), then to
 * history and the event stream. `projections`: other features' tables kept from events, written
 * in history's transaction.
 */
export function registerEvents(
  { config, pool, bulkRedis, keys, log }: Infrastructure,
  o: { projections?: Projection[] } = {},
): EventsFeature {
  const pgStore = new PgEventStore(pool, o.projections);
  const journal = new Journal(config.OUTBOX_DIR, `${config.REDIS_PREFIX.replace(/[^A-Za-z0-9_.-]/g, '_')}-${config.INSTANCE_ID}`);
  const publisher = new EventPublisher(
    journal,
    [
      { name: 'postgres', write: (b) => pgStore.append(b.map((x) => x.event)), lingerMs: HISTORY_LINGER_MS },
      new RedisEventStream(bulkRedis, keys.events, keys.eventsFrom(config.INSTANCE_ID), config.EVENT_STREAM_MAXLEN),
    ],
    log,
  );
  return {
    publisher,
    publish: (events) => publisher.publish(events),
    async stop() {
      if (!(await publisher.drain(5000)))
        log.warn({ pending: publisher.pending() }, 'events not yet stored at shutdown: kept in the outbox for the next start');
      publisher.close();
    },
  };
}
