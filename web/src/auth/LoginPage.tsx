// Sign in with a password or a single sign-on provider. After success, go back
// to the page that asked for it (?next=). With password sign-in off and exactly
// one provider, the page sends the browser straight to that provider.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { isStatus } from '../api/problem';
import { Field } from '../ui/Field';
import { FormError } from '../ui/States';
import { safeNext } from './RequireAuth';
import { useSession } from './session';
import { ProviderButtons, ProviderSignOutLinks, startURL, useAuthMethods } from './sso';

export function LoginPage() {
  const { login, endedReason, signedIn, signedOut } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const registered = params.get('registered') === '1';
  const methods = useAuthMethods();
  const next = safeNext(params.get('next'));
  const passwordLogin = methods.data?.password_login ?? true;
  const providers = methods.data?.providers ?? [];
  // SSO only, one provider, and nobody just signed out: go straight to it.
  const first = providers[0];
  const only = !passwordLogin && providers.length === 1 && first?.available && !endedReason && !signedOut ? first : null;
  useEffect(() => {
    if (only && !signedIn) window.location.assign(startURL(only, next));
  }, [only, signedIn, next]);
  // A live session cookie (another tab, a reload) signs you in without the form.
  if (signedIn && !busy) return <Navigate to={next} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <AuthFrame title="Sign in to Atlas">
      {registered && (
        <p className="notice" role="status">
          Your account is ready. Sign in to continue.
        </p>
      )}
      {endedReason && !registered && (
        <p className="notice" role="status">
          {endedReason}
        </p>
      )}
      {signedOut && <ProviderSignOutLinks providers={providers} />}
      <ProviderButtons providers={providers} next={next} passwordLogin={passwordLogin} />
      {passwordLogin && (
        <form onSubmit={submit} noValidate={false}>
          <Field label="Email">
            <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <Field label="Password">
            <input
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          {isStatus(error, 401) ? (
            <p className="error-text" role="alert">
              The email or password is not right. Check them and try again.
            </p>
          ) : (
            <FormError error={error} />
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
      {passwordLogin && (
        <p>
          <Link to="/forgot-password">Forgot password?</Link>
        </p>
      )}
      {passwordLogin && (
        <p>
          New here? <Link to={`/register${params.get('next') ? `?next=${encodeURIComponent(params.get('next') ?? '')}` : ''}`}>Create an account</Link>
        </p>
      )}
    </AuthFrame>
  );
}

/** The centred card around the sign-in and sign-up forms. */
export function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main id="main" className="auth">
      <div className="auth-card">
        <p className="brand">Atlas</p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
