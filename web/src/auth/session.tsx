// The session. The access token lives in React state only (never in
// localStorage or a readable cookie), so a script injected into the page
// cannot read it back from storage. What keeps you signed in across reloads
// and tabs is the session cookie (atlas_session: HttpOnly, SameSite=Strict,
// sent only to /api/v1/auth): on start-up and shortly before each access
// token expires, the tab trades it for a new access token. Each refresh
// rotates the cookie and a rotated cookie presented again ends the session
// (reuse detection), so tabs take turns: one refresh at a time across every
// tab of this origin (a Web Lock). Signing out in one tab tells the others
// (a BroadcastChannel). See web/README.md.
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
  /** True while the tab is still finding out whether its session cookie is alive (start-up). */
  restoring: boolean;
  /** Why the last session ended, when it ended on its own (shown on the login page). */
  endedReason: string | null;
  /** True after "Sign out" in this tab until the next sign-in: the login page then offers the provider's sign-out and does not go straight back to it. */
  signedOut: boolean;
  /** Signs in with email and password; resolves once the user is known. */
  login(email: string, password: string): Promise<void>;
  /** Ends the session on the server, then forgets the token, the user and every cached answer. */
  logout(): Promise<void>;
  /** Replaces the signed-in user (after a profile change). */
  setUser(u: User): void;
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

/** Messages shown on the sign-in page. */
export const endedMessage = 'Your session has ended. Please sign in again.';

/** The name of the cross-tab refresh lock and of the sign-out broadcast. */
const lockName = 'atlas-session-refresh';
const channelName = 'atlas-session';
/** Refresh this long before the access token expires. */
const refreshMargin = 60_000;

/** Runs fn while holding the cross-tab refresh lock (or directly where Web Locks are missing). */
export function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (locks.request(lockName, fn) as unknown as Promise<T>) : fn();
}

interface Grant {
  access_token: string;
  expires_in: number;
}

/** Provides the session; must sit inside the router and the QueryClientProvider. */
export function SessionProvider({ children, clientOptions }: { children: ReactNode; clientOptions?: ApiClientOptions }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [token, setToken] = useState<string | null>(null);
  const [user, setUser] = useState<User | null>(null);
  const [restoring, setRestoring] = useState(true);
  const [endedReason, setEndedReason] = useState<string | null>(null);
  const [signedOut, setSignedOut] = useState(false);
  // The client reads the token through a ref so it can stay one stable object.
  const tokenRef = useRef<string | null>(null);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef<Promise<boolean> | null>(null);
  const signingOut = useRef(false);

  const clear = useCallback(() => {
    tokenRef.current = null;
    clearTimeout(refreshTimer.current);
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
  const refreshRef = useRef<() => Promise<boolean>>(() => Promise.resolve(false));
  useEffect(() => {
    endRef.current = endSession;
  }, [endSession]);
  const [hooks] = useState(() => ({
    token: () => tokenRef.current,
    // A 401 means the access token expired (a sleeping laptop) or the session
    // ended on the server; one refresh tells which.
    onUnauthorized: () => {
      if (signingOut.current) return;
      void refreshRef.current().then((ok) => {
        if (ok) void queryClient.invalidateQueries();
        else endRef.current(endedMessage);
      });
    },
  }));
  const [api] = useState(() => createApiClient(hooks, clientOptions));

  const adopt = useCallback(
    (grant: Grant) => {
      tokenRef.current = grant.access_token;
      setToken(grant.access_token);
      setSignedOut(false);
      clearTimeout(refreshTimer.current);
      const ms = Math.max(5_000, grant.expires_in * 1000 - refreshMargin);
      refreshTimer.current = setTimeout(() => {
        void refreshRef.current().then((ok) => ok || endRef.current(endedMessage));
      }, ms);
    },
    [],
  );

  // One refresh at a time in this tab (inFlight) and across tabs (the lock).
  const refresh = useCallback((): Promise<boolean> => {
    inFlight.current ??= withRefreshLock(async () => {
      try {
        const grant = await unwrap(api.POST('/api/v1/auth/refresh', { params: { header: {} } }));
        adopt(grant);
        return true;
      } catch {
        return false;
      }
    }).finally(() => {
      inFlight.current = null;
    });
    return inFlight.current;
  }, [api, adopt]);
  useEffect(() => {
    refreshRef.current = refresh;
  }, [refresh]);

  // Start-up: a live session cookie signs this tab in without a password.
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      if (await refresh()) {
        try {
          const me = await unwrap(api.GET('/api/v1/auth/me'));
          if (!cancelled) setUser(me);
        } catch {
          if (!cancelled) clear();
        }
      }
      if (!cancelled) setRestoring(false);
    })();
    return () => {
      cancelled = true;
    };
  }, [api, refresh, clear]);

  // Another tab signed out: follow it.
  const channel = useRef<BroadcastChannel | null>(null);
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const ch = new BroadcastChannel(channelName);
    ch.onmessage = (e: MessageEvent) => {
      if (e.data === 'signed-out' && tokenRef.current !== null) {
        clear();
        setEndedReason('You signed out in another tab.');
        navigate('/login', { replace: true });
      }
    };
    channel.current = ch;
    return () => {
      ch.close();
      channel.current = null;
    };
  }, [clear, navigate]);

  const login = useCallback(
    async (email: string, password: string) => {
      const res = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password }, params: { header: {} } }));
      tokenRef.current = res.access_token;
      try {
        const me = await unwrap(api.GET('/api/v1/auth/me'));
        setUser(me);
      } catch (err) {
        tokenRef.current = null;
        throw err;
      }
      setEndedReason(null);
      adopt(res);
    },
    [api, adopt],
  );

  const logout = useCallback(async () => {
    signingOut.current = true;
    try {
      await unwrap(api.POST('/api/v1/auth/logout'));
    } catch {
      // Already ended on the server: signing out locally is what is left.
    } finally {
      signingOut.current = false;
    }
    clear();
    channel.current?.postMessage('signed-out');
    setEndedReason(null);
    setSignedOut(true);
    navigate('/login', { replace: true });
  }, [api, clear, navigate]);

  const value = useMemo<Session>(
    () => ({ api, user, signedIn: token !== null, restoring, endedReason, signedOut, login, logout, setUser }),
    [api, user, token, restoring, endedReason, signedOut, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
