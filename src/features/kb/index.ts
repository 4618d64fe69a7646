import pg from 'pg';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { jiebaSegmenter } from '../../adapters/text/segment.js';
import { CategoryCache } from './category-cache.js';
import { KbImport } from './import-service.js';
import { PgKbRepo } from './kb-repo.js';
import { KbService } from './kb-service.js';
import { kbRoutes } from './routes.js';
import { KbSearch } from './search-service.js';

/** What other features (call summaries) ask of the knowledge base. */
export interface KbLookup {
  categoryPath(id: number): Promise<string[] | undefined>;
  articles(ids: number[]): Promise<Array<{ id: number; question: string }>>;
  openedOnCall(callId: string): Promise<number[]>;
}

export interface KbFeature extends Feature {
  kb: KbService;
  search: KbSearch;
  transfer: KbImport;
  kbLookup: KbLookup;
}

/** The knowledge base's objects, for the service and for `npm run kb:import` alike. */
export function buildKb(pool: Infrastructure['pool']) {
  const repo = new PgKbRepo(pool);
  const tree = new CategoryCache(() => repo.categoryNodes());
  const kb = new KbService(repo, tree, jiebaSegmenter);
  const search = new KbSearch(repo, tree, jiebaSegmenter, kb);
  const transfer = new KbImport(repo, tree, kb);
  return { kb, search, transfer };
}

/**
 * Connections of the knowledge base's own: agents' searches (dozens a second at a busy hour) never
 * wait behind the calls' queries in the shared pool, nor hold its connections while Postgres is
 * busy; and at most this many run in Postgres at once, whatever the number of agents typing.
 */
export const KB_POOL_SIZE = 4;

/** The knowledge base (财税知识库): docs/knowledge-base.md. */
export function registerKb({ config, log }: Infrastructure): KbFeature {
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: KB_POOL_SIZE, connectionTimeoutMillis: 3000 });
  pool.on('error', (err) => log.warn({ err: err.message }, 'postgres pool error (knowledge base)'));
  const { kb, search, transfer } = buildKb(pool);
  return {
    kb,
    search,
    transfer,
    kbLookup: kb.lookup,
    routes: [kbRoutes({ kb, search, transfer })],
    // jieba's dictionary loads once (≈160 ms), at start rather than in the first search.
    start: () => void jiebaSegmenter.cut('增值税'),
    stop: () => pool.end(),
  };
}
