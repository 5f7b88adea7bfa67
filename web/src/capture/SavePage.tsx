// The "save" form that a share from a phone (the web app's share_target),
// the bookmarklet or any link to /save?url=&title=&text= opens, prefilled:
// pick a collection (the last one used first), check the title and tags,
// add a note; the shared text is kept as a quote in the notes.
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { Item } from '../api/types';
import { useCollections } from '../collections/hooks';
import { useCreateItem, useTags } from '../items/hooks';
import { ItemForm, valuesOf } from '../items/ItemForm';
import { Field } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, Loading } from '../ui/States';
import { notesWithQuote, parseShare } from './share';

/** Where the save form remembers the collection last saved to (this browser only). */
const lastCollectionKey = 'atlas.save.collection';

export function SavePage() {
  const [params] = useSearchParams();
  const shared = useMemo(() => parseShare(params), [params]);
  const collections = useCollections();
  const writable = useMemo(
    () => (collections.data?.pages ?? []).flatMap((p) => p.items ?? []).filter((c) => c.permissions.write_items),
    [collections.data],
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const last = localStorage.getItem(lastCollectionKey);
  const collectionId = chosen ?? writable.find((c) => c.id === last)?.id ?? writable[0]?.id ?? '';

  if (collections.isPending) return <Loading label="Loading your collections…" />;
  if (collections.isError) return <ErrorState error={collections.error} retry={() => collections.refetch()} title="Could not load your collections" />;
  if (writable.length === 0) {
    return (
      <Empty title="Nowhere to save yet">
        <p>
          You can save to a collection you own or edit. <Link to="/">Create a collection</Link> first.
        </p>
      </Empty>
    );
  }
  return (
    <>
      <PageHeader title="Save a link" subtitle={shared.url || undefined} />
      <section className="panel save-page" aria-label="Save a link">
        <Field label="Collection">
          <select value={collectionId} onChange={(e) => setChosen(e.target.value)}>
            {writable.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <SaveForm collectionId={collectionId} shared={shared} />
      </section>
    </>
  );
}

function SaveForm({ collectionId, shared }: { collectionId: string; shared: ReturnType<typeof parseShare> }) {
  const navigate = useNavigate();
  const create = useCreateItem(collectionId);
  const tags = useTags(collectionId);
  const [saved, setSaved] = useState<Item | null>(null);
  if (saved) {
    return (
      <div role="status" className="notice">
        <p>
          Saved: <Link to={`/items/${saved.id}`}>{saved.title}</Link>
        </p>
        {saved.duplicates?.length ? (
          <>
            <p>This link was already saved in:</p>
            <ul>
              {saved.duplicates.map((d) => (
                <li key={d.item_id}>
                  <Link to={`/items/${d.item_id}`}>{d.title}</Link> in {d.collection_name}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    );
  }
  const initial = { ...valuesOf(), title: shared.title || shared.url, source_url: shared.url, notes: notesWithQuote(shared.quote, '') };
  return (
    <ItemForm
      initial={initial}
      suggestions={tags.data?.map((t) => t.name) ?? []}
      busy={create.isPending}
      error={create.error}
      submitLabel="Save"
      onCancel={() => navigate('/')}
      onSubmit={(v) =>
        create.mutate(
          { title: v.title, description: v.description, notes: v.notes, tags: v.tags, ...(v.source_url ? { source_url: v.source_url } : {}) },
          {
            onSuccess: (it) => {
              localStorage.setItem(lastCollectionKey, collectionId);
              if (it.duplicates?.length) setSaved(it);
              else navigate(`/items/${it.id}`);
            },
          },
        )
      }
    />
  );
}
