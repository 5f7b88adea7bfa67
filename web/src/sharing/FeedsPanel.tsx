// A collection's feeds: create a feed token, then copy the Atom, RSS or JSON Feed URL (optionally of a search).
import { useState, type FormEvent } from 'react';
import { FormError } from '../ui/States';
import { Field } from '../ui/Field';
import { CopyField } from './CopyField';
import { collectionFeedUrl, feedFormats, useCreateFeedToken } from './hooks';

const formatLabels = { atom: 'Atom', rss: 'RSS', json: 'JSON Feed' } as const;

export function FeedsPanel({ collectionId, collectionName }: { collectionId: string; collectionName: string }) {
  const create = useCreateFeedToken();
  const [q, setQ] = useState('');
  const token = create.data?.token;

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(`Feed of ${collectionName}`.slice(0, 100));
  }

  return (
    <section className="panel" aria-labelledby="feeds-heading">
      <h3 id="feeds-heading">Feeds</h3>
      <p className="muted small">
        Subscribe to the newest 50 items in a feed reader. A feed URL carries a feed token: it reads your collections&apos; feeds and nothing
        else, and you can revoke it under Account → API tokens.
      </p>
      {!token ? (
        <form onSubmit={submit}>
          <FormError error={create.error} />
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create feed token'}
          </button>
        </form>
      ) : (
        <>
          <p className="small" role="status">
            Copy the URLs now: the token is not shown again.
          </p>
          <Field label="Only items matching this search (optional)">
            <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          </Field>
          {feedFormats.map((f) => (
            <CopyField key={f} label={formatLabels[f]} value={collectionFeedUrl(collectionId, f, token, q)} testId={`feed-url-${f}`} />
          ))}
        </>
      )}
    </section>
  );
}
