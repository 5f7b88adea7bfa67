// A collection's Import page: pick or drop a bookmark file (as browsers
// export it) or an Atlas JSON export, watch the import's progress, and read
// its per-entry report. Earlier imports are listed below.
import { useState, type DragEvent, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import type { ImportReport } from '../api/types';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { formatDateTime } from '../ui/format';
import { ErrorState, FormError, Loading } from '../ui/States';
import { useImport, useImports, useStartImport } from './hooks';

export function ImportPage() {
  const c = useCurrentCollection();
  const [params, setParams] = useSearchParams();
  const [file, setFile] = useState<File | null>(null);
  const [onDuplicate, setOnDuplicate] = useState<'skip' | 'update'>('skip');
  const [dragging, setDragging] = useState(false);
  const current = params.get('import') ?? '';
  const canImport = c.permissions.write_items;
  const upload = useStartImport(c.id);
  const list = useImports(c.id);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    upload.mutate(
      { file, onDuplicate },
      {
        onSuccess: (imp) => {
          setFile(null);
          setParams({ import: imp.id }, { replace: true });
        },
      },
    );
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files[0];
    if (f) setFile(f);
  };

  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">Import bookmarks</h2>
      {canImport ? (
        <form onSubmit={submit} aria-label="Import a file">
          <div
            className={`dropzone${dragging ? ' dragging' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={drop}
          >
            <p>Drop a bookmark file here (exported from Chrome, Firefox, Safari, Edge or a bookmarking service), or an Atlas JSON export.</p>
            <label>
              File
              <input type="file" accept=".html,.htm,.json,text/html,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </label>
            {file && <p>Selected: {file.name}</p>}
          </div>
          <label>
            Links already in the collection
            <select value={onDuplicate} onChange={(e) => setOnDuplicate(e.target.value === 'update' ? 'update' : 'skip')}>
              <option value="skip">Skip them</option>
              <option value="update">Update them from the file</option>
            </select>
          </label>
          <button type="submit" disabled={!file || upload.isPending}>
            {upload.isPending ? 'Uploading…' : 'Import'}
          </button>
          <FormError error={upload.error} />
        </form>
      ) : (
        <p>Only owners and editors can import into this collection.</p>
      )}
      {current && <ImportProgress id={current} />}
      <h3>Earlier imports</h3>
      {list.isPending ? (
        <Loading label="Loading imports…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => list.refetch()} />
      ) : (list.data.items ?? []).length === 0 ? (
        <p className="muted">No imports yet. Export your bookmarks from a browser (or another bookmark service) as an HTML file and upload it above.</p>
      ) : (
        <ul className="import-list">
          {(list.data.items ?? []).map((i) => (
            <li key={i.id}>
              <button type="button" className="link" onClick={() => setParams({ import: i.id }, { replace: true })}>
                {formatDateTime(i.created_at)}
              </button>{' '}
              {i.status} — {i.created} created, {i.updated} updated, {i.skipped} skipped, {i.failed} failed
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One import, refreshed until it ends: progress bar, counts, report table. */
function ImportProgress({ id }: { id: string }) {
  const imp = useImport(id);
  if (imp.isPending) return <Loading label="Loading import…" />;
  if (imp.isError) return <ErrorState error={imp.error} retry={() => imp.refetch()} />;
  return <ImportView imp={imp.data} />;
}

export function ImportView({ imp }: { imp: ImportReport }) {
  const pct = imp.size_bytes > 0 ? Math.round((100 * imp.bytes_done) / imp.size_bytes) : 0;
  const errors = imp.errors ?? [];
  return (
    <div className="import" aria-label="Import progress" data-status={imp.status}>
      <p>
        <strong>{imp.status}</strong> · {imp.format} file · {imp.total} entries read
      </p>
      <progress max={100} value={pct} aria-label="Import progress">
        {pct}%
      </progress>{' '}
      <span>{pct}%</span>
      <p>
        {imp.created} created, {imp.updated} updated, {imp.skipped} skipped, {imp.failed} failed
      </p>
      {imp.failure && <p role="alert">{imp.failure}</p>}
      {errors.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Import report">
            <thead>
              <tr>
                <th>Line</th>
                <th>Outcome</th>
                <th>Title</th>
                <th>URL</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((e) => (
                <tr key={`${e.line}-${e.url}-${e.reason}`}>
                  <td>{e.line}</td>
                  <td>{e.outcome}</td>
                  <td>{e.title}</td>
                  <td className="url">{e.url}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
