// Guards signed-in pages: while the session cookie is being tried, wait; without a
// token, go to the login page and come back after.
import { Navigate, Outlet, useLocation } from 'react-router';
import { Loading } from '../ui/States';
import { useSession } from './session';

export function RequireAuth() {
  const { signedIn, restoring } = useSession();
  const location = useLocation();
  if (restoring) return <Loading label="Signing you in…" />;
  if (!signedIn) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

/** Only same-site paths are followed after login, never another origin. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
