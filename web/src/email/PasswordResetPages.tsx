// Forgot password: ask for a link by email, then choose a new password with it.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { describeProblem, fieldErrors } from '../api/problem';
import { AuthFrame } from '../auth/LoginPage';
import { Field } from '../ui/Field';
import { FormError } from '../ui/States';
import { tokenFromHash, useConfirmPasswordReset, useRequestPasswordReset } from './hooks';

const minPassword = 10;

export function ForgotPasswordPage() {
  const request = useRequestPasswordReset();
  const [email, setEmail] = useState('');
  useEffect(() => {
    document.title = 'Forgot password · Atlas';
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    request.mutate(email.trim());
  }
  return (
    <AuthFrame title="Reset your password">
      {request.isSuccess ? (
        <p className="notice" role="status">
          If an account uses {email.trim()}, a link to choose a new password is on its way. It works once, within an hour.
        </p>
      ) : (
        <form onSubmit={submit}>
          <p className="muted small">We will email you a link to choose a new password.</p>
          <Field label="Email" error={fieldErrors(request.error).email}>
            <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          {!fieldErrors(request.error).email && <FormError error={request.error} />}
          <button type="submit" className="primary" disabled={request.isPending}>
            {request.isPending ? 'Sending…' : 'Email me a link'}
          </button>
        </form>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </AuthFrame>
  );
}

export function ResetPasswordPage() {
  const location = useLocation();
  const [token] = useState(() => tokenFromHash(location.hash));
  const confirm = useConfirmPasswordReset();
  const [password, setPassword] = useState('');
  const errors = fieldErrors(confirm.error);
  useEffect(() => {
    document.title = 'Choose a new password · Atlas';
    // The token stays in this page's memory only, not in the address bar or history.
    if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    confirm.mutate({ token, new_password: password });
  }
  if (confirm.isSuccess) {
    return (
      <AuthFrame title="Password changed">
        <p className="notice" role="status">
          Your new password is set, and you were signed out everywhere.
        </p>
        <p>
          <Link to="/login">Sign in</Link>
        </p>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title="Choose a new password">
      {!token ? (
        <p className="error-text" role="alert">
          This page needs the link from the email. <Link to="/forgot-password">Ask for a new one</Link>.
        </p>
      ) : (
        <form onSubmit={submit}>
          <Field label="New password" hint={`At least ${minPassword} characters.`} error={errors.new_password}>
            <input
              type="password"
              autoComplete="new-password"
              required
              minLength={minPassword}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          {errors.token ? (
            <p className="error-text" role="alert">
              This link is invalid, already used or expired. <Link to="/forgot-password">Ask for a new one</Link>.
            </p>
          ) : (
            !errors.new_password && confirm.isError && <p className="error-text" role="alert">{describeProblem(confirm.error)}</p>
          )}
          <button type="submit" className="primary" disabled={confirm.isPending}>
            {confirm.isPending ? 'Saving…' : 'Set new password'}
          </button>
        </form>
      )}
    </AuthFrame>
  );
}
