// The account page's email panel: whether the address is confirmed, and the
// security notices preference.
import { describeProblem } from '../api/problem';
import { ErrorState, Loading } from '../ui/States';
import { useEmailSettings, useSendVerification, useUpdateEmailSettings } from './hooks';

export function EmailSection() {
  const settings = useEmailSettings();
  const update = useUpdateEmailSettings();
  const send = useSendVerification();
  const s = settings.data;

  return (
    <section aria-labelledby="email-heading" className="panel">
      <h2 id="email-heading">Email</h2>
      {settings.isPending ? (
        <Loading label="Loading email settings…" />
      ) : settings.isError || !s ? (
        <ErrorState error={settings.error} retry={() => settings.refetch()} title="Could not load the email settings" />
      ) : (
        <>
          {!s.email_sending && (
            <p className="muted" role="status">
              This server sends no email, so no link or notice reaches you.
            </p>
          )}
          <p>
            Address:{' '}
            {s.email_verified ? (
              <strong>confirmed</strong>
            ) : (
              <>
                <strong>not confirmed yet</strong>{' '}
                {s.email_sending && (
                  <button type="button" className="link" onClick={() => send.mutate()} disabled={send.isPending || send.isSuccess}>
                    {send.isSuccess ? 'Link sent: check your inbox' : 'Send the confirmation link again'}
                  </button>
                )}
              </>
            )}
          </p>
          {send.isError && (
            <p className="error-text" role="alert">
              {describeProblem(send.error)}
            </p>
          )}
          <label>
            <input
              type="checkbox"
              checked={s.security_notices}
              disabled={update.isPending}
              onChange={(e) => update.mutate(e.target.checked)}
            />{' '}
            Email me when my password changes, an API token is created or someone signs in from a new device
          </label>
          {update.isError && (
            <p className="error-text" role="alert">
              Could not save: {describeProblem(update.error)}
            </p>
          )}
        </>
      )}
    </section>
  );
}
