// One item: read it, and (owners and editors) edit or delete it. Shows what
// enrichment learned about its URL and the state of its background jobs.
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { describeProblem, isStatus } from '../api/problem';
import type { Item } from '../api/types';
import { useCollection } from '../collections/hooks';
import { ConfirmDialog } from '../ui/Dialog';
import { formatDateTime, RoleBadge } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { ErrorState, Loading } from '../ui/States';
import { ArchivePanel } from '../archive/ArchivePanel';
import type { CopyKind } from '../archive/hooks';
import { LinkNotice } from '../links/LinkNotice';
import { EnrichmentPanel } from './EnrichmentPanel';
import { useDeleteItem, useItem, useTags, useUpdateItem } from './hooks';
import { IndexBadge } from './IndexBadge';
import { ItemForm, valuesOf } from './ItemForm';

export function ItemPage() {
  const { itemId = '' } = useParams();
  const item = useItem(itemId);

  if (item.isPending) return <Loading label="Loading item…" />;
  if (item.isError) {
    return (
      <ErrorState
        error={item.error}
        retry={() => item.refetch()}
        title={isStatus(item.error, 404) ? 'Item not found' : 'Could not load this item'}
      />
    );
  }
  return <ItemView item={item.data} />;
}

function ItemView({ item }: { item: Item }) {
  const collection = useCollection(item.collection_id);
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const update = useUpdateItem(item);
  const remove = useDeleteItem(item.collection_id);
  const tags = useTags(item.collection_id);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [archiveOpen, setArchiveOpen] = useState<CopyKind | null>(null);
  const role = collection.data?.role;
  const editable = collection.data?.permissions.write_items ?? false;
  const editing = editable && params.get('edit') === '1';
  const back = `/collections/${item.collection_id}`;

  const setEditing = (on: boolean) => setParams(on ? { edit: '1' } : {}, { replace: true });

  return (
    <>
      <p className="breadcrumb">
        <Link to={back}>← {collection.data?.name ?? 'Collection'}</Link>
      </p>
      <PageHeader
        title={item.title}
        subtitle={role && <RoleBadge role={role} />}
        actions={
          editable &&
          !editing && (
            <>
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
            </>
          )
        }
      />
      {role && !editable && (
        <p className="notice" role="note">
          You are a viewer in this collection: you can read this item but not change it.
        </p>
      )}

      <LinkNotice
        item={item}
        editable={editable}
        openArchive={() => {
          setArchiveOpen('html');
          document.getElementById('archive-heading')?.scrollIntoView?.({ block: 'start' });
        }}
      />

      {editing ? (
        <section className="panel" aria-labelledby="edit-heading">
          <h2 id="edit-heading">Edit item</h2>
          <ItemForm
            key={item.version}
            initial={valuesOf(item)}
            suggestions={tags.data?.map((t) => t.name) ?? []}
            busy={update.isPending}
            error={update.error}
            submitLabel="Save changes"
            onCancel={() => {
              update.reset();
              setEditing(false);
            }}
            onSubmit={(v) => update.mutate(v, { onSuccess: () => setEditing(false) })}
          />
        </section>
      ) : (
        <section className="panel item-detail" aria-label="Item details">
          <dl>
            <dt>URL</dt>
            <dd>
              {item.source_url ? (
                <a href={item.source_url} target="_blank" rel="noopener noreferrer">
                  {item.source_url}
                </a>
              ) : (
                <span className="muted">None</span>
              )}
            </dd>
            <dt>Description</dt>
            <dd>{item.description || <span className="muted">None</span>}</dd>
            <dt>Notes</dt>
            <dd className="pre">{item.notes || <span className="muted">None</span>}</dd>
            <dt>Tags</dt>
            <dd>
              {(item.tags ?? []).length > 0 ? (
                <ul className="chips" aria-label="Tags">
                  {(item.tags ?? []).map((t) => (
                    <li key={t} className="chip">
                      <Link to={`${back}?tag=${encodeURIComponent(t)}`}>{t}</Link>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="muted">None</span>
              )}
            </dd>
            <dt>Changed</dt>
            <dd>
              Created {formatDateTime(item.created_at)}; last changed {formatDateTime(item.updated_at)} (version {item.version}).{' '}
              <IndexBadge status={item.index_status} />
            </dd>
          </dl>
        </section>
      )}

      <EnrichmentPanel item={item} editable={editable} />
      <ArchivePanel item={item} open={archiveOpen} setOpen={setArchiveOpen} />

      <p>
        <Link to={`/audit?entity_type=item&entity_id=${item.id}`}>History of this item</Link>
      </p>

      <ConfirmDialog
        open={confirmDelete}
        title="Delete item?"
        message={`“${item.title}” will be deleted for every member of this collection.`}
        confirmLabel="Delete item"
        busy={remove.isPending}
        error={remove.error ? describeProblem(remove.error) : null}
        onClose={() => {
          setConfirmDelete(false);
          remove.reset();
        }}
        onConfirm={() => remove.mutate(item.id, { onSuccess: () => navigate(back, { replace: true }) })}
      />
    </>
  );
}
