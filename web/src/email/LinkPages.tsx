// Pages that emailed links open: confirming an address and accepting an
// invitation to a collection.
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { describeProblem, isStatus } from '../api/problem';
import { AuthFrame } from '../auth/LoginPage';
import { useSession } from '../auth/session';
import { Loading } from '../ui/States';
import { tokenFromHash, useAcceptInvitation, useVerifyEmail } from './hooks';

/** Keeps a link's token in this page's memory and out of the address bar and history. */
function useLinkToken(storageKey?: string): string {
  const location = useLocation();
  const [token] = useState(() => {
    const fromHash = tokenFromHash(location.hash);
    if (storageKey) {
      // Kept for the tab while its holder signs in or registers (a redirect drops the #).
      if (fromHash) sessionStorage.setItem(storageKey, fromHash);
      return fromHash || (sessionStorage.getItem(storageKey) ?? '');
    }
    return fromHash;
  });
  useEffect(() => {
    if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
  }, []);
  return token;
}

export function VerifyEmailPage() {
  const token = useLinkToken();
  const verify = useVerifyEmail();
  const sent = useRef(false);
  useEffect(() => {
    document.title = 'Confirm your address · Atlas';
    if (token && !sent.current) {
      sent.current = true;
      verify.mutate(token);
    }
  }, [token, verify]);

  return (
    <AuthFrame title="Confirm your address">
      {!token ? (
        <p className="error-text" role="alert">
          This page needs the link from the email.
        </p>
      ) : verify.isSuccess ? (
        <p className="notice" role="status">
          Your email address is confirmed.
        </p>
      ) : verify.isError ? (
        <p className="error-text" role="alert">
          {isStatus(verify.error, 422)
            ? 'This link is invalid, already used or expired. Send a new one from your account page.'
            : describeProblem(verify.error)}
        </p>
      ) : (
        <Loading label="Confirming…" />
      )}
      <p>
        <Link to="/account">Go to your account</Link>
      </p>
    </AuthFrame>
  );
}

const invitationKey = 'atlas.invitation';

export function AcceptInvitationPage() {
  const token = useLinkToken(invitationKey);
  const { signedIn, restoring, user } = useSession();
  const accept = useAcceptInvitation();
  const navigate = useNavigate();
  const next = encodeURIComponent('/invitations/accept');
  useEffect(() => {
    document.title = 'Accept an invitation · Atlas';
  }, []);

  function join() {
    accept.mutate(token, {
      onSuccess: (m) => {
        sessionStorage.removeItem(invitationKey);
        navigate(`/collections/${m.collection_id}`, { replace: true });
      },
    });
  }
  if (restoring) return <Loading label="Signing you in…" />;
  return (
    <AuthFrame title="You are invited to a collection">
      {!token ? (
        <p className="error-text" role="alert">
          This page needs the link from the invitation email.
        </p>
      ) : !signedIn ? (
        <>
          <p>Sign in to accept the invitation, or create an account first if you have none.</p>
          <p>
            <Link className="button primary" to={`/login?next=${next}`}>
              Sign in
            </Link>{' '}
            <Link to={`/register?next=${next}`}>Create an account</Link>
          </p>
        </>
      ) : (
        <>
          <p>
            Join as <strong>{user?.email}</strong>.
          </p>
          {accept.isError && (
            <p className="error-text" role="alert">
              {isStatus(accept.error, 422)
                ? 'This invitation is invalid, already used, expired or revoked. Ask the collection’s owner for a new one.'
                : isStatus(accept.error, 409)
                  ? 'You are already a member of this collection.'
                  : describeProblem(accept.error)}
            </p>
          )}
          <button type="button" className="primary" onClick={join} disabled={accept.isPending}>
            {accept.isPending ? 'Joining…' : 'Accept invitation'}
          </button>
        </>
      )}
    </AuthFrame>
  );
}
