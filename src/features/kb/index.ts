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

/** The knowledge base (财税知识库): docs/knowledge-base.md. */
export function registerKb({ pool }: Infrastructure): KbFeature {
  const { kb, search, transfer } = buildKb(pool);
  return {
    kb,
    search,
    transfer,
    kbLookup: kb.lookup,
    routes: [kbRoutes({ kb, search, transfer })],
    // jieba's dictionary loads once (≈160 ms), at start rather than in the first search.
    start: () => void jiebaSegmenter.cut('增值税'),
  };
}
