import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { homeArea, loadAreaCodes } from '../reports/service.js';
import { DesktopChannel } from './desktop-channel.js';
import { PgDesktopRepo } from './desktop-repo.js';
import { DesktopService } from './desktop-service.js';
import { desktopRoutes } from './routes.js';

export interface DesktopFeature extends Feature {
  service: DesktopService;
  channel: DesktopChannel;
}

/**
 * The agent desktop's server side: each agent's view (state, and the screen pop of the call it
 * was offered, from the live state every instance shares plus the caller's history), pushed over
 * GET /api/agents/:id/live whenever the agent changes.
 */
export function registerDesktop({ config, pool, live, log }: Infrastructure): DesktopFeature {
  const areaCodes = loadAreaCodes();
  const home = homeArea(config.HOME_AREA_CODE, areaCodes);
  if (!home) throw new Error(`HOME_AREA_CODE ${config.HOME_AREA_CODE} is not in data/cn-area-codes.json`);
  const now = () => Date.now();
  const service = new DesktopService({
    liveAgents: live.agents,
    sessions: live.sessions,
    repo: new PgDesktopRepo(pool),
    areaCodes,
    home,
    now,
  });
  const channel = new DesktopChannel({ liveAgents: live.agents, desktop: service, log: log.child({ component: 'desktop' }), now });
  return {
    service,
    channel,
    routes: [desktopRoutes({ channel })],
    halt: () => channel.stop(),
  };
}
