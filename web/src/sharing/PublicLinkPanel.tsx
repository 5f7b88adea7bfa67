// A collection's public links: owners publish (with an optional expiry) and revoke; every member sees the list.
import { useState, type FormEvent } from 'react';
import { describeProblem, fieldErrors } from '../api/problem';
import { Field } from '../ui/Field';
import { formatDateTime } from '../ui/format';
import { Empty, ErrorState, FormError, Loading } from '../ui/States';
import { CopyField } from './CopyField';
import { absolute, usePublicLinks, useCreatePublicLink, useRevokePublicLink } from './hooks';

export function PublicLinkPanel({ collectionId, owner }: { collectionId: string; owner: boolean }) {
  const links = usePublicLinks(collectionId);
  const create = useCreatePublicLink(collectionId);
  const revoke = useRevokePublicLink(collectionId);
  const [expires, setExpires] = useState('');
  const [indexable, setIndexable] = useState(false);
  const errors = fieldErrors(create.error);
  const all = links.data?.items ?? [];

  function submit(e: FormEvent) {
    e.preventDefault();
    const expires_at = expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined;
    create.mutate({ ...(expires_at ? { expires_at } : {}), indexable });
  }

  return (
    <section className="panel" aria-labelledby="public-link-heading">
      <h3 id="public-link-heading">Public link</h3>
      <p className="muted small">
        Anyone with a public link can read this collection&apos;s items, tags and search, and its feed, without an account; nothing else.
      </p>
      {owner ? (
        <form onSubmit={submit}>
          <div className="row">
            <Field label="Expires on (optional)" error={errors.expires_at}>
              <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
            </Field>
            <label className="checkbox">
              <input type="checkbox" checked={indexable} onChange={(e) => setIndexable(e.target.checked)} /> Let search engines index it
            </label>
            <button type="submit" className="primary" disabled={create.isPending}>
              {create.isPending ? 'Publishing…' : 'Publish'}
            </button>
          </div>
          {!errors.expires_at && <FormError error={create.error} />}
        </form>
      ) : (
        <p className="muted small">Only owners can publish or revoke links.</p>
      )}
      {create.data && (
        <div className="notice" role="status">
          <p>Copy the link now: it is not shown again.</p>
          <CopyField label="Public page" value={absolute(create.data.path)} testId="public-link-url" />
          <CopyField label="Public feed (Atom)" value={absolute(`/feeds/public/${create.data.token}/atom`)} />
        </div>
      )}
      {revoke.isError && (
        <p className="error-text" role="alert">
          Could not revoke the link: {describeProblem(revoke.error)}
        </p>
      )}
      {links.isPending ? (
        <Loading label="Loading public links…" />
      ) : links.isError ? (
        <ErrorState error={links.error} retry={() => links.refetch()} title="Could not load the public links" />
      ) : all.length === 0 ? (
        <Empty title="Not published">
          <p>{owner ? 'Publish a public link above to let people without an account read this collection.' : 'Only an owner can publish this collection.'}</p>
        </Empty>
      ) : (
        <div className="table-wrap stack-narrow">
          <table>
            <caption className="visually-hidden">Public links</caption>
            <thead>
              <tr>
                <th scope="col">Published</th>
                <th scope="col">Expires</th>
                <th scope="col">Search engines</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {all.map((l) => (
                <tr key={l.id}>
                  <td data-label="Published">{formatDateTime(l.created_at)}</td>
                  <td data-label="Expires">{l.expires_at ? formatDateTime(l.expires_at) : 'Never'}</td>
                  <td data-label="Search engines">{l.indexable ? 'May index' : 'Asked not to index'}</td>
                  <td>
                    {owner && (
                      <button type="button" className="danger-link" onClick={() => revoke.mutate(l.id)} disabled={revoke.isPending}>
                        Revoke<span className="visually-hidden"> the link published {formatDateTime(l.created_at)}</span>
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
