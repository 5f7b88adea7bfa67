// Create an account, then sign straight in.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { unwrap } from '../api/client';
import { fieldErrors } from '../api/problem';
import { Field } from '../ui/Field';
import { FormError } from '../ui/States';
import { AuthFrame } from './LoginPage';
import { safeNext } from './RequireAuth';
import { useSession } from './session';

const minPassword = 10;

export function RegisterPage() {
  const { api, login } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form, setForm] = useState({ display_name: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errors = fieldErrors(error);

  useEffect(() => {
    document.title = 'Create an account · Atlas';
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { ...form, email: form.email.trim(), display_name: form.display_name.trim() };
    try {
      await unwrap(api.POST('/api/v1/auth/register', { body }));
    } catch (err) {
      setError(err);
      setBusy(false);
      return;
    }
    try {
      await login(body.email, body.password);
      navigate(safeNext(params.get('next')), { replace: true });
    } catch {
      navigate(`/login?registered=1&email=${encodeURIComponent(body.email)}`, { replace: true });
    }
  }

  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });

  return (
    <AuthFrame title="Create an account">
      <form onSubmit={submit}>
        <Field label="Your name" error={errors.display_name}>
          <input autoComplete="name" required maxLength={100} value={form.display_name} onChange={set('display_name')} />
        </Field>
        <Field label="Email" error={errors.email}>
          <input type="email" autoComplete="email" required maxLength={254} value={form.email} onChange={set('email')} />
        </Field>
        <Field label="Password" hint={`At least ${minPassword} characters.`} error={errors.password}>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={minPassword}
            maxLength={256}
            value={form.password}
            onChange={set('password')}
          />
        </Field>
        <FormError error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </AuthFrame>
  );
}
