import { useEffect, useState } from 'react';
import { wsUrl } from '../../lib/api';
import { reconnectDelayMs, type AgentState } from './desktop-format';

/** One message of GET /api/agents/:id/live (src/features/desktop/routes.ts Frame). */
export interface DesktopFrame {
  at: number;
  agentId: string;
  name: string;
  state: AgentState;
  registered: boolean;
  since: number | null;
  pauseReason: string | null;
  wrapUntil: number | null;
  answeredToday: number | null;
  pop: ScreenPop | null;
}

export interface ScreenPop {
  callId: string;
  caller: string;
  region: { kind: string; zh: string; en: string };
  keys: string[];
  nodes: string[];
  queue: string | null;
  lineLabel: string | null;
  queuedAt: number | null;
  answeredAt: number | null;
  offeredAt: number | null;
  history: Array<{
    callId: string;
    at: number;
    agentId: string | null;
    agentName: string | null;
    outcome: string | null;
    line: string | null;
    subLine: string | null;
    summary: string | null;
  }>;
}

export interface DesktopChannelState {
  frame: DesktopFrame | undefined;
  /** Page clock minus server clock (ms), from the latest frame: times in state read on the server's clock. */
  skewMs: number;
  connected: boolean;
  /** When each call's pop first reached this page (page clock, ms): shown as data-shown-at for the one-second check. */
  shownAt: Record<string, number>;
}

/**
 * The agent's live view over its WebSocket (the session cookie goes with the upgrade). Reconnects
 * with a growing delay; a closed session (4401) stops, since the shell sends the user to sign in.
 */
export function useDesktopChannel(agentId: string): DesktopChannelState {
  const [s, set] = useState<DesktopChannelState>({ frame: undefined, skewMs: 0, connected: false, shownAt: {} });
  useEffect(() => {
    let ws: WebSocket | undefined;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const open = () => {
      ws = new WebSocket(wsUrl(`/api/agents/${encodeURIComponent(agentId)}/live`));
      ws.onopen = () => {
        attempt = 0;
        set((p) => ({ ...p, connected: true }));
      };
      ws.onmessage = (m) => {
        const received = Date.now();
        const frame = JSON.parse(String(m.data)) as DesktopFrame;
        set((p) => {
          const id = frame.pop?.callId;
          const shownAt = id && p.shownAt[id] === undefined ? { ...p.shownAt, [id]: received } : p.shownAt;
          return { frame, skewMs: received - frame.at, connected: true, shownAt };
        });
      };
      ws.onclose = (e) => {
        set((p) => ({ ...p, connected: false }));
        if (closed || e.code === 4401) return;
        timer = setTimeout(open, reconnectDelayMs(attempt++));
      };
    };
    open();
    return () => {
      closed = true;
      clearTimeout(timer);
      ws?.close();
    };
  }, [agentId]);
  return s;
}
