import { useCallback, useEffect, useRef, useState } from 'react';
import { App } from 'antd';
import { del, get, post, put } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { byCall, MODE_NAMES, PHONE_KEY, POLL_MS, supervisorPhone, type SuperviseMode, type Supervision } from './supervision';

export interface SupervisionApi {
  /** Active supervisions per live call. */
  calls: ReadonlyMap<string, readonly Supervision[]>;
  /** The phone that will ring: the account's agent id, or the one chosen here. */
  phone: string | null;
  /** Only for accounts without an agent id: remembered in this browser. */
  setPhone: (p: string | null) => void;
  start: (callId: string, mode: SuperviseMode) => void;
  change: (s: Supervision, mode: SuperviseMode) => void;
  leave: (s: Supervision) => void;
}

/**
 * The supervisions, polled every 2 s while the wallboard is open (enabled: the account may
 * supervise), and the three actions; a refused action shows the API's message.
 */
export function useSupervision(enabled: boolean, accountAgentId: string | null): SupervisionApi {
  const t = useT();
  const { message } = App.useApp();
  const [calls, setCalls] = useState<ReadonlyMap<string, readonly Supervision[]>>(new Map());
  const [remembered, setRemembered] = useState<string | null>(() => localStorage.getItem(PHONE_KEY));
  const phone = supervisorPhone(accountAgentId, remembered);
  const prev = useRef(calls);
  const poll = useCallback(async () => {
    try {
      const r = await get<{ items: Supervision[] }>('/api/supervision');
      const next = byCall(prev.current, r.items);
      prev.current = next;
      setCalls(next);
    } catch {
      // The next poll tries again; the wallboard's own status shows a lost connection.
    }
  }, []);
  useEffect(() => {
    if (!enabled) return;
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [enabled, poll]);

  const fail = useCallback((e: unknown) => void message.error((e as Error).message), [message]);
  const setPhone = useCallback((p: string | null) => {
    if (p) localStorage.setItem(PHONE_KEY, p);
    else localStorage.removeItem(PHONE_KEY);
    setRemembered(p);
  }, []);
  const start = useCallback(
    (callId: string, mode: SuperviseMode) => {
      if (!phone) return void message.warning(t('请先在上方选择您使用的话机', 'Choose the phone you use first (above)'));
      // The account's own phone is the server's default; a chosen one is sent.
      post<Supervision>(`/api/calls/${encodeURIComponent(callId)}/supervision`, { mode, ...(accountAgentId ? {} : { phone }) }).then(() => {
        void message.info(
          t(
            `${MODE_NAMES[mode].verb[0]}：话机 ${phone} 正在振铃，请接听`,
            `${MODE_NAMES[mode].verb[1]}: phone ${phone} is ringing, answer it`,
          ),
        );
        void poll();
      }, fail);
    },
    [phone, accountAgentId, message, t, poll, fail],
  );
  const change = useCallback(
    (s: Supervision, mode: SuperviseMode) =>
      void put(`/api/supervision/${encodeURIComponent(s.id)}`, { mode }).then(() => void poll(), fail),
    [poll, fail],
  );
  const leave = useCallback(
    (s: Supervision) => void del(`/api/supervision/${encodeURIComponent(s.id)}`).then(() => void poll(), fail),
    [poll, fail],
  );
  return { calls, phone, setPhone, start, change, leave };
}
