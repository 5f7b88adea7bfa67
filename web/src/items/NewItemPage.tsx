// Add an item to the current collection; a link saved already somewhere the
// person can read is named before saving, and can be saved all the same.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { CreateItemBody, DuplicateMatch, Item } from '../api/types';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { useFindSaved } from '../duplicates/hooks';
import { SavedAlready } from '../duplicates/SavedAlready';
import { Empty } from '../ui/States';
import { useCreateItem, useTags } from './hooks';
import { ItemForm, valuesOf } from './ItemForm';

export function NewItemPage() {
  const collection = useCurrentCollection();
  const navigate = useNavigate();
  const create = useCreateItem(collection.id);
  const tags = useTags(collection.id);
  const findSaved = useFindSaved();
  const [saved, setSaved] = useState<Item | null>(null);
  const [checking, setChecking] = useState(false);
  const [warning, setWarning] = useState<{ body: CreateItemBody; matches: DuplicateMatch[] } | null>(null);
  const back = `/collections/${collection.id}`;

  if (!collection.permissions.write_items) {
    return (
      <Empty title="You cannot add items here">
        <p>Viewers can read this collection but not change it. Ask an owner to make you an editor.</p>
      </Empty>
    );
  }
  if (saved?.duplicates?.length) {
    return (
      <section aria-labelledby="new-item-heading" className="panel">
        <h2 id="new-item-heading">Item added</h2>
        <div role="status" className="notice">
          <p>This link is already saved in:</p>
          <ul>
            {saved.duplicates.map((d) => (
              <li key={d.item_id}>
                <Link to={`/items/${d.item_id}`}>{d.title}</Link> in {d.collection_name}
              </li>
            ))}
          </ul>
        </div>
        <button type="button" onClick={() => navigate(back)}>
          Back to the collection
        </button>
      </section>
    );
  }

  /** Saves body; warned already says the duplicates need no second mention. */
  function save(body: CreateItemBody, warned: boolean) {
    create.mutate(body, {
      onSuccess: (it) => {
        if (it.duplicates?.length && !warned) setSaved(it);
        else navigate(back);
      },
    });
  }
  async function submit(body: CreateItemBody) {
    if (!body.source_url) return save(body, false);
    setChecking(true);
    const matches = await findSaved(body.source_url);
    setChecking(false);
    if (matches.length > 0) setWarning({ body, matches });
    else save(body, false);
  }

  return (
    <section aria-labelledby="new-item-heading" className="panel">
      <h2 id="new-item-heading">New item</h2>
      {warning && <SavedAlready matches={warning.matches} busy={create.isPending} onSave={() => save(warning.body, true)} onCancel={() => setWarning(null)} />}
      <ItemForm
        initial={valuesOf()}
        suggestions={tags.data?.map((t) => t.name) ?? []}
        busy={create.isPending || checking}
        error={create.error}
        submitLabel="Add item"
        onCancel={() => navigate(back)}
        onSubmit={(v) =>
          void submit({
            title: v.title,
            description: v.description,
            notes: v.notes,
            tags: v.tags,
            ...(v.source_url ? { source_url: v.source_url } : {}),
          })
        }
      />
    </section>
  );
}
