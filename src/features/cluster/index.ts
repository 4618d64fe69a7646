import { randomUUID } from 'node:crypto';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { CallsFeature } from '../calls/index.js';
import { AppList } from './app-list.js';
import { Membership } from './membership.js';
import { clusterRoutes } from './routes.js';
import { Takeover, type TakenOver } from './takeover.js';

export interface ClusterFeature extends Feature {
  membership: Membership;
  takeover: Takeover;
}

/**
 * Several instances on one Redis, Postgres and Asterisk (docs/scale.md): each renews a liveness
 * lease and keeps Asterisk's list of live Stasis apps; when one's lease runs out, one survivor
 * takes its calls over. `onFenced`: this instance was taken for dead (a stall longer than its
 * lease) and its calls now run elsewhere, so it must not go on.
 */
export function registerCluster(
  infra: Infrastructure,
  d: { calls: CallsFeature; onFenced?: () => void; onTakenOver?: (t: TakenOver) => void },
): ClusterFeature {
  const { config, redis, keys, ari, ariEvents, ariRouter, live, log } = infra;
  const leaseMs = config.CLUSTER_LEASE_MS;
  // Several Asterisk nodes (docs/scale.md): an instance's Stasis app and calls live on its node only,
  // so the app list written to a node and the calls taken over are those of instances on the same node.
  const ownNode = new URL(config.ARI_URL).host;
  const membership = new Membership(
    redis,
    keys,
    {
      instance: config.INSTANCE_ID,
      app: config.ARI_APP,
      node: ownNode,
      startedAt: Date.now(),
      token: randomUUID(),
    },
    leaseMs,
  );
  const apps = new AppList(ari);
  const takeover = new Takeover({
    redis,
    keys,
    self: config.INSTANCE_ID,
    app: config.ARI_APP,
    ari,
    streamFor: infra.ariStreamFor,
    route: ariRouter.route,
    sessions: live.sessions,
    queues: live.queues,
    calls: d.calls.service,
    arrivals: d.calls.moveArrivals,
    forget: (i) => membership.forget(i),
    log,
  });
  const onFenced =
    d.onFenced ??
    (() => {
      log.fatal('this instance was taken for dead and its calls were taken over: exiting');
      process.exit(70);
    });
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let taking: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    if (!(await membership.beat(Date.now()))) return onFenced();
    const members = await membership.members();
    const sameNode = members.filter((m) => m.node === ownNode);
    await apps.write(sameNode.filter((m) => m.alive || m.instance === config.INSTANCE_ID).map((m) => m.app));
    const dead = sameNode.filter((m) => !m.alive && m.instance !== config.INSTANCE_ID);
    // One at a time, in the background: the heartbeat must not wait behind a takeover.
    if (dead.length && !busy) {
      busy = true;
      taking = (async () => {
        for (const m of dead) {
          const t = await takeover.run(m.instance).catch((err: Error) => log.error({ err, dead: m.instance }, 'takeover failed'));
          if (t) d.onTakenOver?.(t);
        }
      })().finally(() => (busy = false));
    }
  };
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    timer = setTimeout(
      () =>
        void tick()
          .catch((err: Error) => log.warn({ err: err.message }, 'cluster heartbeat failed'))
          .finally(loop),
      Math.min(500, leaseMs / 4),
    );
  };
  return {
    membership,
    takeover,
    routes: [clusterRoutes({ self: config.INSTANCE_ID, members: () => membership.members(), leases: () => infra.leases.holding() })],
    async start() {
      // Registered before the calls are restored and the stream connects: from then on this
      // instance is alive to the others, and Asterisk hears of its app at the first tick.
      await membership.beat(Date.now());
      ariEvents.on('connected', () => apps.forget());
      loop();
    },
    // Beats go on through the shutdown until stop(): an instance still draining is not taken for dead.
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await taking;
      await takeover.stop();
      await infra.leases.releaseAll().catch(() => undefined);
      await membership.release().catch((err: Error) => log.warn({ err: err.message }, 'liveness lease not released'));
    },
  };
}
