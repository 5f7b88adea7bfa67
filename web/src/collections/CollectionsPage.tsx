// The dashboard: your collections, your role in each, and create/rename/delete.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { describeProblem } from '../api/problem';
import type { Collection } from '../api/types';
import { ConfirmDialog } from '../ui/Dialog';
import { RoleBadge } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, Loading } from '../ui/States';
import { CollectionDialog } from './CollectionDialog';
import { useCollections, useCreateCollection, useDeleteCollection, useUpdateCollection } from './hooks';

type Editing = { kind: 'create' } | { kind: 'rename'; collection: Collection } | { kind: 'delete'; collection: Collection } | null;

export function CollectionsPage() {
  const list = useCollections();
  const create = useCreateCollection();
  const update = useUpdateCollection();
  const remove = useDeleteCollection();
  const navigate = useNavigate();
  const [editing, setEditing] = useState<Editing>(null);

  const close = () => {
    setEditing(null);
    create.reset();
    update.reset();
    remove.reset();
  };
  const collections = list.data?.pages.flatMap((p) => p.items ?? []) ?? [];

  return (
    <>
      <PageHeader
        title="Collections"
        subtitle="Shared sets of links, notes and references."
        actions={
          <button type="button" className="primary" onClick={() => setEditing({ kind: 'create' })}>
            New collection
          </button>
        }
      />
      {list.isPending ? (
        <Loading label="Loading collections…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => list.refetch()} title="Could not load your collections" />
      ) : collections.length === 0 ? (
        <Empty title="No collections yet">
          <p>Create one to start collecting links and notes, or ask someone to invite you to theirs.</p>
        </Empty>
      ) : (
        <ul className="cards" aria-label="Your collections">
          {collections.map((c) => (
            <li key={c.id} className="card">
              <div className="card-head">
                <h2>
                  <Link to={`/collections/${c.id}`}>{c.name}</Link>
                </h2>
                <RoleBadge role={c.role} />
              </div>
              {c.description ? <p className="card-text">{c.description}</p> : <p className="card-text muted">No description</p>}
              {c.permissions.manage && (
                <div className="card-actions">
                  <button type="button" onClick={() => setEditing({ kind: 'rename', collection: c })} aria-label={`Rename ${c.name}`}>
                    Rename
                  </button>
                  <button
                    type="button"
                    className="danger-link"
                    onClick={() => setEditing({ kind: 'delete', collection: c })}
                    aria-label={`Delete ${c.name}`}
                  >
                    Delete
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : 'Show more collections'}
        </button>
      )}

      <CollectionDialog
        open={editing?.kind === 'create' || editing?.kind === 'rename'}
        collection={editing?.kind === 'rename' ? editing.collection : undefined}
        busy={create.isPending || update.isPending}
        error={create.error ?? update.error}
        onClose={close}
        onSubmit={(values) => {
          if (editing?.kind === 'rename') {
            update.mutate({ id: editing.collection.id, ...values }, { onSuccess: close });
          } else {
            create.mutate(values, { onSuccess: (c) => navigate(`/collections/${c.id}`) });
          }
        }}
      />
      <ConfirmDialog
        open={editing?.kind === 'delete'}
        title="Delete collection?"
        message={
          editing?.kind === 'delete'
            ? `“${editing.collection.name}” and all its items will be deleted for every member. This cannot be undone.`
            : ''
        }
        confirmLabel="Delete collection"
        busy={remove.isPending}
        error={remove.error ? describeProblem(remove.error) : null}
        onClose={close}
        onConfirm={() => editing?.kind === 'delete' && remove.mutate(editing.collection.id, { onSuccess: close })}
      />
    </>
  );
}
