import { memo, type CSSProperties } from 'react';
import type { T } from '../../lib/i18n';
import { MODE_NAMES, MODES, SUPERVISION_STATES, type SuperviseMode, type Supervision } from './supervision';

export interface SuperviseActions {
  /** This account's id: its own supervisions get the switch and leave buttons. */
  me: string;
  start: (callId: string, mode: SuperviseMode) => void;
  change: (s: Supervision, mode: SuperviseMode) => void;
  leave: (s: Supervision) => void;
}

const button: CSSProperties = {
  height: 22,
  padding: '0 6px',
  marginInlineEnd: 4,
  fontSize: 12,
  border: '1px solid #d9d9d9',
  borderRadius: 4,
  background: '#fff',
  cursor: 'pointer',
  color: 'rgba(0,0,0,0.88)',
};
const leaveButton: CSSProperties = { ...button, color: '#cf1322', borderColor: '#ffa39e' };
const tag: CSSProperties = {
  display: 'inline-block',
  padding: '0 6px',
  marginInlineEnd: 4,
  fontSize: 12,
  lineHeight: '20px',
  border: '1px solid #91caff',
  borderRadius: 4,
  color: '#0958d9',
  background: '#e6f4ff',
};
const others: CSSProperties = { ...tag, color: 'rgba(0,0,0,0.65)', background: '#fafafa', borderColor: '#d9d9d9' };

/**
 * 监听 / 耳语 / 强插 on a talking call; once this supervisor is on it, the mode and the phone's
 * state, the two other modes and 退出. Others' supervisions of the call show as a tag.
 */
export const SupervisionCell = memo(function SupervisionCell({
  callId,
  agentId,
  list,
  act,
  t,
}: {
  callId: string;
  agentId: string;
  list: readonly Supervision[] | undefined;
  act: SuperviseActions;
  t: T;
}) {
  const mine = list?.find((s) => s.supervisor === act.me);
  const theirs = (list ?? []).filter((s) => s !== mine);
  return (
    <span data-testid={`supervise-${agentId}`} style={{ whiteSpace: 'nowrap' }}>
      {theirs.map((s) => (
        <span key={s.id} style={others} title={`${s.supervisor}: ${t(...MODE_NAMES[s.mode].doing)}`}>
          {s.supervisor} · {t(...MODE_NAMES[s.mode].verb)}
        </span>
      ))}
      {mine ? (
        <>
          <span style={tag} data-testid={`supervise-mode-${agentId}`} data-mode={mine.mode} data-state={mine.state}>
            {t(...MODE_NAMES[mine.mode].doing)} · {t(...SUPERVISION_STATES[mine.state])}
          </span>
          {MODES.filter((m) => m !== mine.mode).map((m) => (
            <button
              key={m}
              type="button"
              style={button}
              title={t(...MODE_NAMES[m].hint)}
              data-testid={`supervise-switch-${m}-${agentId}`}
              onClick={() => act.change(mine, m)}
            >
              {t(...MODE_NAMES[m].verb)}
            </button>
          ))}
          <button type="button" style={leaveButton} data-testid={`supervise-leave-${agentId}`} onClick={() => act.leave(mine)}>
            {t('退出', 'Leave')}
          </button>
        </>
      ) : (
        MODES.map((m) => (
          <button
            key={m}
            type="button"
            style={button}
            title={t(...MODE_NAMES[m].hint)}
            data-testid={`supervise-${m}-${agentId}`}
            onClick={() => act.start(callId, m)}
          >
            {t(...MODE_NAMES[m].verb)}
          </button>
        ))
      )}
    </span>
  );
});
