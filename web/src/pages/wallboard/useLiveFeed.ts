import { useEffect, useRef, useState } from 'react';
import { wsUrl } from '../../lib/api';
import { setServerTime } from './clock';
import { mergeAgents, mergeQueues, type AgentRow, type LiveMessage, type QueueView } from './model';

export interface LiveView {
  at: string | null;
  queues: QueueView[];
  agents: AgentRow[];
  /** Today for all queues together (the line with queue null). */
  total: { offered: number; serviceLevel: number | null; abandonRate: number | null } | null;
  status: 'connecting' | 'open' | 'closed';
}

const EMPTY: LiveView = { at: null, queues: [], agents: [], total: null, status: 'connecting' };

/**
 * /api/live, the wallboard's feed: one message a second with every queue and agent (the session
 * cookie goes with the upgrade). Reconnects after a drop, waiting a little longer each time.
 * Each message becomes one state update, unchanged rows and tiles keeping their objects (model.ts).
 */
export function useLiveFeed(configured: readonly string[]): LiveView {
  const [view, setView] = useState<LiveView>(EMPTY);
  const agentsById = useRef(new Map<string, AgentRow>());
  const queuesByName = useRef(new Map<string, QueueView>());
  // Read by the socket's handler, which is made once.
  const configuredNow = useRef(configured);
  configuredNow.current = configured;
  useEffect(() => {
    let ws: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 1000;
    let gone = false;
    const open = () => {
      ws = new WebSocket(wsUrl('/api/live'));
      ws.onopen = () => {
        delay = 1000;
        setView((v) => ({ ...v, status: 'open' }));
      };
      ws.onmessage = (e: MessageEvent<string>) => {
        const m = JSON.parse(e.data) as LiveMessage;
        setServerTime(m.at);
        const a = mergeAgents(agentsById.current, m.agentRows ?? []);
        const q = mergeQueues(queuesByName.current, m, configuredNow.current);
        agentsById.current = a.byId;
        queuesByName.current = q.byQueue;
        const all = m.today?.find((t) => t.queue === null);
        setView({
          at: m.at,
          queues: q.views,
          agents: a.rows,
          total: all ? { offered: all.offered, serviceLevel: all.serviceLevel, abandonRate: all.abandonRate } : null,
          status: 'open',
        });
      };
      ws.onclose = () => {
        if (gone) return;
        setView((v) => ({ ...v, status: 'closed' }));
        retry = setTimeout(open, delay);
        delay = Math.min(delay * 2, 15_000);
      };
    };
    open();
    return () => {
      gone = true;
      clearTimeout(retry);
      ws?.close();
    };
  }, []);
  return view;
}
