import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import { late } from './shared/late.js';
import { startInOrder, stopOnce } from './app/feature.js';
import { connectInfrastructure } from './app/infrastructure.js';
import { serveHttp } from './app/http.js';
import { runAsProcess } from './app/process-entry.js';
import type { AriClient } from './adapters/ari/client.js';
import type { AgentLiveStore } from './features/agents/agent-live-store.js';
import type { QueueStore } from './features/routing/queue-store.js';
import type { CallDelivery } from './features/routing/call-delivery.js';
import { registerEvents } from './features/events/index.js';
import type { EventPublisher } from './features/events/publisher.js';
import { registerVersionedConfig } from './features/versioned-config/index.js';
import type { IvrCatalog } from './features/ivr/catalog.js';
import { registerCallbacks } from './features/callbacks/index.js';
import { registerOutbound } from './features/outbound/index.js';
import { registerRouting } from './features/routing/index.js';
import { registerAgents } from './features/agents/index.js';
import { registerAsteriskSync } from './app/asterisk.js';
import type { AgentService } from './features/agents/agent-service.js';
import type { StuckAgents } from './features/agents/stuck-agents.js';
import { registerCalls } from './features/calls/index.js';
import type { CallService } from './features/calls/call-service.js';
import { registerLive } from './features/live/index.js';
import { registerReports } from './features/reports/index.js';
import { registerAuth } from './features/auth/index.js';
import { registerAudit } from './features/audit/index.js';
import { registerSipEdge } from './features/sip-edge/index.js';
import { registerConsole } from './features/console/index.js';
import { registerDesktop } from './features/desktop/index.js';
import { registerWallboard } from './features/wallboard/index.js';
import { registerSurvey, surveyProjection } from './features/survey/index.js';
import { registerKb } from './features/kb/index.js';
import { registerSummaries } from './features/summaries/index.js';
import { registerWorkOrders } from './features/workorders/index.js';
import { recordingsProjection, registerRecordings } from './features/recordings/index.js';
import { registerSupervision } from './features/supervision/index.js';
import { registerQuality } from './features/quality/index.js';
import { registerCluster } from './features/cluster/index.js';

export { DependencyError } from './app/infrastructure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Service {
  config: Config;
  url: string;
  calls: CallService;
  agents: AgentService;
  ivr: IvrCatalog;
  liveAgents: AgentLiveStore;
  queues: QueueStore;
  stuck: StuckAgents;
  ari: AriClient;
  publisher: EventPublisher;
  stop: () => Promise<void>;
}

/** The composition root: each feature builds its own objects (features/<feature>/index.ts); this says what each needs, and the order of start and shutdown. */
export async function startService(config: Config, log: Logger, opts: { processMetrics?: Registry } = {}): Promise<Service> {
  const infra = await connectInfrastructure(config, log, ROOT);
  const events = registerEvents(infra, { projections: [surveyProjection, recordingsProjection] });
  const recordings = registerRecordings(infra, { events });
  // The dial policy: callbacks, the callback offer and the IVR's transfer nodes all ask it.
  const outbound = registerOutbound(infra);
  const configs = await registerVersionedConfig(infra, { outbound });
  const callbacks = registerCallbacks(infra, { events, outbound });
  // The dispatcher hands agents to calls, and agents stuck busy are checked against calls; calls
  // are built last (they need both), so those two reach them through this, bound below.
  const callsPort = late<CallDelivery & Pick<CallService, 'holds' | 'supervisable'>>('calls');
  const routing = registerRouting(infra, { configs, callbacks, calls: callsPort });
  const agents = registerAgents(infra, { events, configs, routing, calls: callsPort });
  // Supervision reads calls held here; calls hand it its phones' and snoops' events.
  const supervision = registerSupervision(infra, {
    events,
    call: (callId) => callsPort.get().supervisable(callId),
    phoneExists: async (agentId) => (await agents.service.get(agentId))?.active === true,
  });
  const calls = registerCalls(infra, { events, configs, agents, callbacks, routing, outbound, recordings, supervision });
  callsPort.bind(calls.service);
  const reports = registerReports(infra);
  const live = registerLive(infra, { events, agents, calls, callbacks, routing, reports, processMetrics: opts.processMetrics });
  // Taken-over waiting calls are this instance's from then on: a round now offers them their agents.
  const cluster = registerCluster(infra, { calls, onTakenOver: () => routing.dispatcher.kick() });
  const asterisk = registerAsteriskSync(infra, { agents, calls, configs, routing });
  const auth = registerAuth(infra, { agents });
  const audit = registerAudit(infra);
  const sipEdge = registerSipEdge(infra);
  const desktop = registerDesktop(infra);
  const wallboard = registerWallboard(infra);
  const kb = registerKb(infra);
  const summaries = registerSummaries(infra, { events, kb: kb.kbLookup });
  const workorders = registerWorkOrders(infra, { events, callbacks }, { summaryOf: summaries.summaryOf });
  // The center's daily work around the calls (issue 22): only HTTP routes besides kb's and workorders' start/stop.
  const dailyWork = [kb, summaries, workorders, registerSurvey(infra)];
  // Quality (issue 23): recordings, supervision and review.
  const quality = [recordings, supervision, registerQuality(infra, { events })];

  // Calls held before a restart are restored before Asterisk's events come in; routing rounds
  // start once the event stream is connected.
  await startInOrder([
    kb,
    sipEdge,
    callbacks,
    workorders,
    recordings,
    supervision,
    reports,
    routing.preferred,
    agents,
    live,
    cluster,
    calls,
    asterisk,
    routing,
  ]);
  const http = await serveHttp(infra, {
    auth: auth.httpAuth((e) => audit.service.append(e)),
    features: [
      auth,
      audit,
      configs,
      callbacks,
      agents,
      live,
      cluster,
      routing,
      reports,
      desktop,
      wallboard,
      ...dailyWork,
      ...quality,
      registerConsole(),
    ],
  });

  // New work stops coming first (dial-backs, wrap-ups, HTTP, reports); Asterisk is let go once its
  // sync settled; calls finish their steps before their events are drained to the stores;
  // connections close last.
  const stop = stopOnce(log, [
    sipEdge,
    callbacks,
    workorders,
    recordings,
    agents,
    desktop,
    http,
    supervision,
    kb,
    reports,
    asterisk,
    calls,
    cluster,
    events,
    routing.preferred,
    routing,
    live,
    infra,
  ]);

  return {
    config,
    url: http.url,
    calls: calls.service,
    agents: agents.service,
    ivr: configs.ivr,
    liveAgents: infra.live.agents,
    queues: infra.live.queues,
    stuck: agents.stuck,
    ari: infra.ari,
    publisher: events.publisher,
    stop,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void runAsProcess(startService);
