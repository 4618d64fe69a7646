import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, get, setCsrfToken, whenSignedOut } from './api';
import type { Permission, Role } from '../../../src/core/auth/access';
import { grants } from '../../../src/core/auth/access';

/** Who is signed in, as /api/me says. */
export interface Me {
  id: string;
  role: Role;
  via: string;
  agentId: string | null;
  /** A liaison's department: the work orders it sees. */
  department?: string | null;
  displayName: string | null;
  csrfToken?: string | null;
}

interface SessionState {
  /** undefined while the first /api/me is in flight; null when nobody is signed in. */
  me: Me | null | undefined;
  login: (username: string, password: string) => Promise<Me>;
  logout: () => Promise<void>;
  /** The same grants the API enforces (src/core/auth/access.ts): pages hide what would be refused. */
  can: (p: Permission) => boolean;
}

const Ctx = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      const m = await get<Me>('/api/me');
      setCsrfToken(m.csrfToken);
      setMe(m);
    } catch {
      setMe(null);
    }
  }, []);
  useEffect(() => {
    whenSignedOut(() => setMe(null));
    void refresh();
  }, [refresh]);
  const value = useMemo<SessionState>(
    () => ({
      me,
      login: async (username, password) => {
        const s = await api<{ csrfToken: string }>('POST', '/api/auth/session', { username, password });
        setCsrfToken(s.csrfToken);
        const m = await get<Me>('/api/me');
        setCsrfToken(m.csrfToken);
        setMe(m);
        return m;
      },
      logout: async () => {
        await api('DELETE', '/api/auth/session').catch(() => undefined);
        setCsrfToken('');
        setMe(null);
      },
      can: (p) => !!me && grants(me.role, p),
    }),
    [me],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
