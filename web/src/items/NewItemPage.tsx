// Add an item to the current collection.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Item } from '../api/types';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { Empty } from '../ui/States';
import { useCreateItem, useTags } from './hooks';
import { ItemForm, valuesOf } from './ItemForm';

export function NewItemPage() {
  const collection = useCurrentCollection();
  const navigate = useNavigate();
  const create = useCreateItem(collection.id);
  const tags = useTags(collection.id);
  const [saved, setSaved] = useState<Item | null>(null);

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
        <button type="button" onClick={() => navigate(`/collections/${collection.id}`)}>
          Back to the collection
        </button>
      </section>
    );
  }
  return (
    <section aria-labelledby="new-item-heading" className="panel">
      <h2 id="new-item-heading">New item</h2>
      <ItemForm
        initial={valuesOf()}
        suggestions={tags.data?.map((t) => t.name) ?? []}
        busy={create.isPending}
        error={create.error}
        submitLabel="Add item"
        onCancel={() => navigate(`/collections/${collection.id}`)}
        onSubmit={(v) =>
          create.mutate(
            {
              title: v.title,
              description: v.description,
              notes: v.notes,
              tags: v.tags,
              ...(v.source_url ? { source_url: v.source_url } : {}),
            },
            {
              onSuccess: (it) => {
                if (it.duplicates?.length) setSaved(it);
                else navigate(`/collections/${collection.id}`);
              },
            },
          )
        }
      />
    </section>
  );
}
