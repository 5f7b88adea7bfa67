// Single sign-on: the providers the login page offers (GET /api/v1/auth/providers),
// the linked sign-ins on the account page, linking another provider and unlinking one.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { components } from '../api/schema';
import { describeProblem } from '../api/problem';
import { ConfirmDialog } from '../ui/Dialog';
import { formatDateTime } from '../ui/format';
import { ErrorState, Loading } from '../ui/States';
import { useSession } from './session';

export type AuthProvider = components['schemas']['AuthProvider'];

export const ssoKeys = { methods: ['auth', 'methods'] as const, identities: ['account', 'identities'] as const };

/** How one can sign in: password on or off, and the providers with whether each answers. */
export function useAuthMethods() {
  const { api } = useSession();
  return useQuery({
    queryKey: ssoKeys.methods,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/providers', { signal })),
    staleTime: 15_000,
  });
}

/** The URL that starts a sign-in with provider and comes back to next. */
export function startURL(provider: AuthProvider, next: string): string {
  return next === '/' ? provider.start_url : `${provider.start_url}?next=${encodeURIComponent(next)}`;
}

/** One button per provider; one that cannot be reached is shown as such. */
export function ProviderButtons({ providers, next, passwordLogin }: { providers: AuthProvider[]; next: string; passwordLogin: boolean }) {
  if (providers.length === 0) return null;
  return (
    <div className="sso-providers" aria-label="Single sign-on">
      {providers.map((p) =>
        p.available ? (
          <a key={p.name} className="button primary sso-button" href={startURL(p, next)}>
            Sign in with {p.display_name}
          </a>
        ) : (
          <p key={p.name} className="error-text" role="alert">
            {p.display_name} cannot be reached right now.{passwordLogin ? ' You can still sign in with your password.' : ' Try again shortly.'}
          </p>
        ),
      )}
    </div>
  );
}

/** "Also sign out of <provider>" links after signing out (RP-initiated logout). */
export function ProviderSignOutLinks({ providers }: { providers: AuthProvider[] }) {
  const withLogout = providers.filter((p) => p.end_session_url);
  if (withLogout.length === 0) return null;
  return (
    <p>
      {withLogout.map((p) => (
        <a key={p.name} href={p.end_session_url}>
          Also sign out of {p.display_name}
        </a>
      ))}
    </p>
  );
}

/** The caller's linked sign-ins, each with whether the server lets it be unlinked now. */
export function useIdentities() {
  const { api } = useSession();
  return useQuery({
    queryKey: ssoKeys.identities,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/identities', { signal })),
  });
}

/** Unlinks a provider (the server refuses, 409, when it is the account's last way to sign in). */
export function useUnlinkIdentity() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (provider: string) => unwrap(api.DELETE('/api/v1/auth/identities/{provider}', { params: { path: { provider } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ssoKeys.identities }),
  });
}

/** The account page's list of linked sign-ins, with a button to link each other provider and to unlink each linked one. */
export function LinkedSignInsSection() {
  const { api } = useSession();
  const methods = useAuthMethods();
  const identities = useIdentities();
  const unlink = useUnlinkIdentity();
  const [confirming, setConfirming] = useState<string | null>(null);
  const link = useMutation({
    mutationFn: (provider: string) =>
      unwrap(api.POST('/api/v1/auth/oidc/{provider}/link', { params: { path: { provider } }, body: { next: '/account' } })),
    onSuccess: (out) => window.location.assign(out.redirect_url),
  });
  const providers = methods.data?.providers ?? [];
  if (providers.length === 0 && (identities.data?.items ?? []).length === 0) return null;
  const linked = new Set((identities.data?.items ?? []).map((i) => i.provider));
  const names = new Map(providers.map((p) => [p.name, p.display_name]));

  return (
    <section aria-labelledby="sso-heading" className="panel">
      <h2 id="sso-heading">Linked sign-ins</h2>
      {identities.isPending ? (
        <Loading label="Loading linked sign-ins…" />
      ) : identities.isError ? (
        <ErrorState error={identities.error} retry={() => identities.refetch()} title="Could not load your linked sign-ins" />
      ) : (identities.data.items ?? []).length === 0 ? (
        <p>No single sign-on provider is linked to your account yet.</p>
      ) : (
        <ul className="linked-sign-ins">
          {(identities.data.items ?? []).map((i) => (
            <li key={i.provider}>
              <strong>{names.get(i.provider) ?? i.provider}</strong> {i.email && <>as {i.email}</>} · last used {formatDateTime(i.last_login_at)}{' '}
              {i.unlinkable ? (
                <button type="button" onClick={() => setConfirming(i.provider)}>
                  Unlink
                </button>
              ) : (
                <span className="muted">(your only way to sign in: set a password by resetting it, or link another provider, to unlink it)</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {link.isError && (
        <p className="error-text" role="alert">
          Could not start linking: {describeProblem(link.error)}
        </p>
      )}
      {providers
        .filter((p) => !linked.has(p.name))
        .map((p) => (
          <button key={p.name} type="button" onClick={() => link.mutate(p.name)} disabled={link.isPending || !p.available}>
            Link {p.display_name}
          </button>
        ))}
      <ConfirmDialog
        open={confirming !== null}
        title="Unlink this sign-in?"
        message={`You will no longer be able to sign in with ${confirming ? (names.get(confirming) ?? confirming) : ''}, until you link it again.`}
        confirmLabel="Unlink"
        busy={unlink.isPending}
        error={unlink.isError ? `Could not unlink: ${describeProblem(unlink.error)}` : null}
        onConfirm={() => confirming && unlink.mutate(confirming, { onSuccess: () => setConfirming(null) })}
        onClose={() => {
          setConfirming(null);
          unlink.reset();
        }}
      />
    </section>
  );
}
