// Personal API tokens: create one (its secret is shown once, with a copy button), see them, revoke them.
import { useState, type FormEvent } from 'react';
import { describeProblem, fieldErrors } from '../api/problem';
import type { ApiTokenScope } from '../api/types';
import { Field } from '../ui/Field';
import { formatDateTime } from '../ui/format';
import { Empty, ErrorState, FormError, Loading } from '../ui/States';
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from './hooks';

const scopeLabels: Record<ApiTokenScope, string> = { read: 'Read only', write: 'Read and write', feed: 'Feeds only' };

export function ApiTokensSection() {
  const tokens = useApiTokens();
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiTokenScope>('read');
  const [expires, setExpires] = useState('');
  const [copied, setCopied] = useState(false);
  const errors = fieldErrors(create.error);
  const all = tokens.data?.items ?? [];

  function submit(e: FormEvent) {
    e.preventDefault();
    setCopied(false);
    const expires_at = expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined;
    create.mutate({ name: name.trim(), scope, ...(expires_at ? { expires_at } : {}) }, { onSuccess: () => setName('') });
  }
  async function copy(secret: string) {
    await navigator.clipboard.writeText(secret);
    setCopied(true);
  }

  return (
    <section aria-labelledby="tokens-heading" className="panel">
      <h2 id="tokens-heading">API tokens</h2>
      <p className="muted">
        For scripts and browser extensions: send a token as <code>Authorization: Bearer atlas_pat_…</code>. A read token can only read;
        no token can create tokens or change your password. A feeds-only token (<code>atlas_feed_…</code>) goes in feed URLs and reads
        nothing else.
      </p>
      <form onSubmit={submit}>
        <Field label="Token name" error={errors.name}>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Scope">
          <select value={scope} onChange={(e) => setScope(e.target.value as ApiTokenScope)}>
            <option value="read">Read only</option>
            <option value="write">Read and write</option>
            <option value="feed">Feeds only</option>
          </select>
        </Field>
        <Field label="Expires on (optional)" error={errors.expires_at}>
          <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </Field>
        {!errors.name && !errors.expires_at && <FormError error={create.error} />}
        <button type="submit" className="primary" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {create.data && (
        <div className="notice" role="status">
          <p>
            Your new token <strong>{create.data.name}</strong>. Copy it now: it will not be shown again.
          </p>
          <p>
            <code data-testid="new-token">{create.data.token}</code>{' '}
            <button type="button" onClick={() => void copy(create.data.token)}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </p>
        </div>
      )}
      {revoke.isError && (
        <p className="error-text" role="alert">
          Could not revoke the token: {describeProblem(revoke.error)}
        </p>
      )}
      {tokens.isPending ? (
        <Loading label="Loading tokens…" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} retry={() => tokens.refetch()} title="Could not load your tokens" />
      ) : all.length === 0 ? (
        <Empty title="No API tokens yet">
          <p>Create one above for a script or the browser extension: give it a name and a scope, and copy it when it is shown.</p>
        </Empty>
      ) : (
        <div className="table-wrap stack-narrow">
          <table>
            <caption className="visually-hidden">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scope</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {all.map((t) => (
                <tr key={t.id}>
                  <td data-label="Name">{t.name}</td>
                  <td data-label="Scope">{scopeLabels[t.scope]}</td>
                  <td data-label="Created">{formatDateTime(t.created_at)}</td>
                  <td data-label="Expires">{t.expires_at ? formatDateTime(t.expires_at) : 'Never'}</td>
                  <td data-label="Last used">{t.last_used_at ? formatDateTime(t.last_used_at) : 'Never'}</td>
                  <td>
                    <button type="button" onClick={() => revoke.mutate(t.id)} disabled={revoke.isPending}>
                      Revoke<span className="visually-hidden"> {t.name}</span>
                    </button>
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
