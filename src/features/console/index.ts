import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Feature } from '../../app/feature.js';
import { consoleRoutes } from './routes.js';

/** The repo root from src/features/console or dist/features/console alike. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The web console's pages (web/dist), served by the service itself. */
export function registerConsole(o: { root?: string } = {}): Feature {
  return { routes: [consoleRoutes({ root: o.root ?? path.join(ROOT, 'web', 'dist') })] };
}
