// Your account: display name, password, linked sign-ins, where you are signed in, and API tokens.
import { useState, type FormEvent } from 'react';
import { describeProblem, fieldErrors, isStatus } from '../api/problem';
import { useSession } from '../auth/session';
import { Field } from '../ui/Field';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { ErrorState, FormError, Loading } from '../ui/States';
import { LinkedSignInsSection } from '../auth/sso';
import { EmailSection } from '../email/EmailSection';
import { CaptureSection } from '../capture/CaptureSection';
import { ApiTokensSection } from './ApiTokensSection';
import { useChangePassword, useRevokeOtherSessions, useRevokeSession, useSessions, useUpdateProfile } from './hooks';

export function AccountPage() {
  const { user } = useSession();
  return (
    <>
      <PageHeader title="Your account" subtitle={user?.email} />
      <ProfileSection />
      <PasswordSection />
      <LinkedSignInsSection />
      <EmailSection />
      <SessionsSection />
      <CaptureSection />
      <ApiTokensSection />
    </>
  );
}

function ProfileSection() {
  const { user } = useSession();
  const update = useUpdateProfile();
  const [name, setName] = useState(user?.display_name ?? '');
  const errors = fieldErrors(update.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    update.mutate(name.trim());
  }
  return (
    <section aria-labelledby="profile-heading" className="panel">
      <h2 id="profile-heading">Profile</h2>
      <form onSubmit={submit}>
        <Field label="Display name" hint="How other members see you." error={errors.display_name}>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        {!errors.display_name && <FormError error={update.error} />}
        {update.isSuccess && (
          <p className="notice" role="status">
            Saved.
          </p>
        )}
        <button type="submit" className="primary" disabled={update.isPending}>
          Save name
        </button>
      </form>
    </section>
  );
}

function PasswordSection() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const errors = fieldErrors(change.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
        },
      },
    );
  }
  return (
    <section aria-labelledby="password-heading" className="panel">
      <h2 id="password-heading">Password</h2>
      <form onSubmit={submit}>
        <Field label="Current password">
          <input type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        </Field>
        <Field label="New password" hint="At least 10 characters." error={errors.new_password}>
          <input type="password" autoComplete="new-password" required minLength={10} value={next} onChange={(e) => setNext(e.target.value)} />
        </Field>
        {isStatus(change.error, 403) ? (
          <p className="error-text" role="alert">
            The current password is not right. Nothing was changed.
          </p>
        ) : (
          !errors.new_password && <FormError error={change.error} />
        )}
        {change.isSuccess && (
          <p className="notice" role="status">
            Password changed. Your other sessions were signed out.
          </p>
        )}
        <button type="submit" className="primary" disabled={change.isPending}>
          Change password
        </button>
      </form>
    </section>
  );
}

function SessionsSection() {
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const revokeOthers = useRevokeOtherSessions();
  const all = sessions.data?.items ?? [];
  const others = all.filter((s) => !s.current).length;

  return (
    <section aria-labelledby="sessions-heading" className="panel">
      <div className="section-head">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <button type="button" onClick={() => revokeOthers.mutate()} disabled={revokeOthers.isPending || others === 0}>
          Sign out everywhere else
        </button>
      </div>
      {revokeOthers.isSuccess && (
        <p className="notice" role="status">
          Signed out everywhere else.
        </p>
      )}
      {(revoke.isError || revokeOthers.isError) && (
        <p className="error-text" role="alert">
          Could not sign that session out: {describeProblem(revoke.error ?? revokeOthers.error)}
        </p>
      )}
      {sessions.isPending ? (
        <Loading label="Loading sessions…" />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} retry={() => sessions.refetch()} title="Could not load your sessions" />
      ) : (
        <div className="table-wrap stack-narrow">
          <table>
            <caption className="visually-hidden">Your sessions</caption>
            <thead>
              <tr>
                <th scope="col">Browser or client</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {all.map((s) => (
                <tr key={s.id}>
                  <td data-label="Browser or client">
                    {s.user_agent || 'Unknown'}
                    {s.current && <span className="muted"> (this browser)</span>}
                  </td>
                  <td data-label="Address">{s.ip || '—'}</td>
                  <td data-label="Signed in">{formatDateTime(s.created_at)}</td>
                  <td data-label="Last active">{formatDateTime(s.last_used_at)}</td>
                  <td>
                    {!s.current && (
                      <button type="button" onClick={() => revoke.mutate(s.id)} disabled={revoke.isPending}>
                        Sign out<span className="visually-hidden"> {s.user_agent}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
