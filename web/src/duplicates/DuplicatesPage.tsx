// The duplicates view: items saved more than once across every collection
// the person can read, grouped by link; near-duplicates (the same canonical
// page, or the same title on one host) are flagged apart. Merging keeps the
// item picked, with every item's tags and notes, and deletes the others.
import { useState } from 'react';
import { Link } from 'react-router';
import { describeProblem, isStatus } from '../api/problem';
import type { DuplicateGroup, DuplicateKind, Item } from '../api/types';
import { ConfirmDialog } from '../ui/Dialog';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, Loading } from '../ui/States';
import { useDuplicateGroups, useMergeDuplicates } from './hooks';

const nearLabels: Record<Exclude<DuplicateKind, 'exact'>, string> = {
  canonical: 'near-duplicate: the pages name one canonical link',
  title_host: 'near-duplicate: the same title on one site',
};

/** Why a merge was refused, in words that say what to do next. */
export function mergeProblem(err: unknown): string {
  if (isStatus(err, 403)) {
    return 'You can only read some of these items: merging needs edit access to every item in the group. Ask an owner of that collection to make you an editor.';
  }
  if (isStatus(err, 409)) return 'One of these items changed since this list was loaded. The list has been refreshed: check it and merge again.';
  if (isStatus(err, 404)) return 'One of these items is gone (deleted, or no longer shared with you). The list has been refreshed.';
  return describeProblem(err);
}

export function DuplicatesPage() {
  const [merged, setMerged] = useState<{ item: Item; count: number } | null>(null);
  return (
    <>
      <PageHeader title="Duplicates" subtitle="Links saved more than once, across every collection you can read." />
      {merged && (
        <p className="notice" role="status">
          Merged {merged.count} item{merged.count === 1 ? '' : 's'} into <Link to={`/items/${merged.item.id}`}>{merged.item.title}</Link>.
        </p>
      )}
      <section aria-labelledby="exact-heading">
        <h2 id="exact-heading">Saved more than once</h2>
        <Groups kind="exact" onMerged={setMerged} empty="No link is saved twice." />
      </section>
      <section aria-labelledby="near-heading">
        <h2 id="near-heading">Near-duplicates</h2>
        <p className="muted">Different addresses that are probably the same page: check before merging.</p>
        <Groups kind="canonical" onMerged={setMerged} empty="No pages share a canonical link." />
        <Groups kind="title_host" onMerged={setMerged} empty="No two pages of one site share a title." />
      </section>
    </>
  );
}

function Groups({ kind, empty, onMerged }: { kind: DuplicateKind; empty: string; onMerged(m: { item: Item; count: number }): void }) {
  const groups = useDuplicateGroups(kind);
  if (groups.isPending) return <Loading label="Looking for duplicates…" />;
  if (groups.isError) return <ErrorState error={groups.error} retry={() => groups.refetch()} title="Could not load the duplicates" />;
  const all = groups.data.pages.flatMap((p) => p.items ?? []);
  if (all.length === 0) return <Empty title={empty} />;
  return (
    <>
      <ul className="dup-groups" aria-label={kind === 'exact' ? 'Duplicate groups' : nearLabels[kind]}>
        {all.map((g) => (
          <li key={g.key}>
            <Group group={g} onMerged={onMerged} />
          </li>
        ))}
      </ul>
      {groups.hasNextPage && (
        <button type="button" onClick={() => void groups.fetchNextPage()} disabled={groups.isFetchingNextPage}>
          {groups.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      )}
    </>
  );
}

function Group({ group, onMerged }: { group: DuplicateGroup; onMerged(m: { item: Item; count: number }): void }) {
  const items = group.items ?? [];
  const [keep, setKeep] = useState(() => (items.find((i) => i.can_edit) ?? items[0])?.item_id ?? '');
  const [confirming, setConfirming] = useState(false);
  const merge = useMergeDuplicates();
  const kept = items.find((i) => i.item_id === keep);
  const others = items.filter((i) => i.item_id !== keep);
  const readOnly = items.filter((i) => !i.can_edit);
  const name = `keep-${group.kind}-${group.key}`;

  function run() {
    if (!kept) return;
    // Not mutate's callbacks: the merge refetches the groups first, this group leaves the list and unmounts,
    // and callbacks given to mutate never run for an unmounted component (the page would not say it merged).
    merge
      .mutateAsync({ keep: { id: kept.item_id, version: kept.version }, others: others.map((o) => ({ id: o.item_id, version: o.version })) })
      .then(
        (it) => {
          setConfirming(false);
          onMerged({ item: it, count: others.length });
        },
        () => setConfirming(false),
      );
  }

  return (
    <article className="panel dup-group" aria-label={`Saved as ${group.key}`}>
      <h3 className="dup-key">
        {group.key}
        {group.kind !== 'exact' && <span className="badge near">{nearLabels[group.kind]}</span>}
      </h3>
      <fieldset>
        <legend>Keep which one? The others are merged into it and deleted.</legend>
        <ul className="dup-items">
          {items.map((d) => (
            <li key={d.item_id}>
              <label>
                <input type="radio" name={name} value={d.item_id} checked={keep === d.item_id} onChange={() => setKeep(d.item_id)} />
                Keep “{d.title}” in {d.collection_name}
              </label>{' '}
              <Link to={`/items/${d.item_id}`} aria-label={`Open “${d.title}” in ${d.collection_name}`}>
                open
              </Link>
              {!d.can_edit && <span className="badge pending">read only</span>}
              <div className="muted small">{d.source_url}</div>
            </li>
          ))}
        </ul>
      </fieldset>
      {readOnly.length > 0 && (
        <p className="muted small">
          You can only read {readOnly.map((r) => `“${r.title}” (${r.collection_name})`).join(', ')}: a merge needs edit access to every item.
        </p>
      )}
      {merge.error ? (
        <p className="error-text" role="alert">
          {mergeProblem(merge.error)}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" disabled={!kept || others.length === 0 || merge.isPending} onClick={() => setConfirming(true)}>
          Merge {items.length} items…
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Merge duplicates?"
        message={`“${kept?.title ?? ''}” in ${kept?.collection_name ?? ''} is kept with the tags and notes of the ${others.length} other${others.length === 1 ? '' : 's'}, which ${others.length === 1 ? 'is' : 'are'} deleted for everyone.`}
        confirmLabel={`Merge into “${kept?.title ?? ''}”`}
        busy={merge.isPending}
        onClose={() => setConfirming(false)}
        onConfirm={run}
      />
    </article>
  );
}
