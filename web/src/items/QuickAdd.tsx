// Quick add: paste a link and it is saved at once (after a warning when it
// is saved already somewhere the person can read); the card fills in as
// Atlas fetches the page.
import { useState, type FormEvent } from 'react';
import type { DuplicateMatch } from '../api/types';
import { useFindSaved } from '../duplicates/hooks';
import { SavedAlready } from '../duplicates/SavedAlready';
import { FormError } from '../ui/States';
import { useCreateItem } from './hooks';

export function QuickAdd({ collectionId }: { collectionId: string }) {
  const [url, setUrl] = useState('');
  const [checking, setChecking] = useState(false);
  const [warning, setWarning] = useState<{ url: string; matches: DuplicateMatch[] } | null>(null);
  const create = useCreateItem(collectionId);
  const findSaved = useFindSaved();

  function save(u: string) {
    create.mutate(
      { title: u, source_url: u },
      {
        onSuccess: () => {
          setUrl('');
          setWarning(null);
        },
      },
    );
  }
  async function submit(e: FormEvent) {
    e.preventDefault();
    const u = url.trim();
    if (!u) return;
    setChecking(true);
    const matches = await findSaved(u);
    setChecking(false);
    if (matches.length > 0) setWarning({ url: u, matches });
    else save(u);
  }
  return (
    <>
      <form className="quick-add" onSubmit={(e) => void submit(e)} aria-label="Quick add">
        <label className="visually-hidden" htmlFor="quick-add-url">
          Paste a link to save it
        </label>
        <input
          id="quick-add-url"
          type="url"
          inputMode="url"
          placeholder="Paste a link to save it (n)"
          value={url}
          onChange={(e) => {
            setUrl(e.target.value);
            setWarning(null);
          }}
          data-shortcut="new-item"
        />
        <button type="submit" className="primary" disabled={create.isPending || checking}>
          Save link
        </button>
        <FormError error={create.error} />
      </form>
      {warning && <SavedAlready matches={warning.matches} busy={create.isPending} onSave={() => save(warning.url)} onCancel={() => setWarning(null)} />}
    </>
  );
}
