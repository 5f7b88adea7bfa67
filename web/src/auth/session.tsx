// The session: the access token lives in React state only (never in
// localStorage or a cookie), so a script injected into the page cannot read
// it back from storage, and closing or reloading the tab signs you out.
// See web/README.md for the trade-off.
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { createApiClient, unwrap, type ApiClient, type ApiClientOptions } from '../api/client';
import type { User } from '../api/types';

/** What the rest of the app sees of the session. */
export interface Session {
  /** The typed API client (sends the token). */
  api: ApiClient;
  /** The signed-in user, or null. */
  user: User | null;
  /** Whether a token is held. */
  signedIn: boolean;
  /** Why the last session ended, when it ended on its own (shown on the login page). */
  endedReason: string | null;
  /** Signs in with email and password; resolves once the user is known. */
  login(email: string, password: string): Promise<void>;
  /** Forgets the token, the user and every cached answer. */
  logout(): void;
}

const SessionContext = createContext<Session | null>(null);

/** The current session; throws outside SessionProvider. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** Where to send someone back to after signing in: the current path, if it is an app page. */
export function returnPath(): string {
  const here = window.location.pathname + window.location.search;
  return here.startsWith('/login') || here.startsWith('/register') ? '/' : here;
}

/** Provides the session; must sit inside the router and the QueryClientProvider. */
export function SessionProvider({ children, clientOptions }: { children: ReactNode; clientOptions?: ApiClientOptions }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [token, setToken] = useState<string | null>(null);
  const [user, setUser] = useState<User | null>(null);
  const [endedReason, setEndedReason] = useState<string | null>(null);
  // The client reads the token through a ref so it can stay one stable object.
  const tokenRef = useRef<string | null>(null);
  const expiryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const clear = useCallback(() => {
    tokenRef.current = null;
    clearTimeout(expiryTimer.current);
    setToken(null);
    setUser(null);
    queryClient.clear();
  }, [queryClient]);

  const endSession = useCallback(
    (reason: string) => {
      if (tokenRef.current === null) return;
      const next = returnPath();
      clear();
      setEndedReason(reason);
      navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    },
    [clear, navigate],
  );

  // Stable hooks object; the ref indirection lets the clients be created once.
  const endRef = useRef(endSession);
  useEffect(() => {
    endRef.current = endSession;
  }, [endSession]);
  const [hooks] = useState(() => ({
    token: () => tokenRef.current,
    onUnauthorized: () => endRef.current('Your session has ended. Please sign in again.'),
  }));
  const [api] = useState(() => createApiClient(hooks, clientOptions));

  const login = useCallback(
    async (email: string, password: string) => {
      const res = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
      tokenRef.current = res.access_token;
      try {
        const me = await unwrap(api.GET('/api/v1/auth/me'));
        setUser(me);
      } catch (err) {
        tokenRef.current = null;
        throw err;
      }
      setEndedReason(null);
      setToken(res.access_token);
      // Sign out a little before the token expires rather than failing mid-action.
      clearTimeout(expiryTimer.current);
      const ms = Math.max(0, res.expires_in * 1000 - 5000);
      expiryTimer.current = setTimeout(() => endRef.current('Your session expired. Please sign in again.'), ms);
    },
    [api],
  );

  const logout = useCallback(() => {
    clear();
    setEndedReason(null);
    navigate('/login', { replace: true });
  }, [clear, navigate]);

  const value = useMemo<Session>(
    () => ({ api, user, signedIn: token !== null, endedReason, login, logout }),
    [api, user, token, endedReason, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
