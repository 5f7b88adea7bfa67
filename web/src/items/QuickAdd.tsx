// Quick add: paste a link and it is saved at once; the card fills in as
// Atlas fetches the page.
import { useState, type FormEvent } from 'react';
import { useCreateItem } from './hooks';
import { FormError } from '../ui/States';

export function QuickAdd({ collectionId }: { collectionId: string }) {
  const [url, setUrl] = useState('');
  const create = useCreateItem(collectionId);
  function submit(e: FormEvent) {
    e.preventDefault();
    const u = url.trim();
    if (!u) return;
    create.mutate({ title: u, source_url: u }, { onSuccess: () => setUrl('') });
  }
  return (
    <form className="quick-add" onSubmit={submit} aria-label="Quick add">
      <label className="visually-hidden" htmlFor="quick-add-url">
        Paste a link to save it
      </label>
      <input
        id="quick-add-url"
        type="url"
        inputMode="url"
        placeholder="Paste a link to save it (n)"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        data-shortcut="new-item"
      />
      <button type="submit" className="primary" disabled={create.isPending}>
        Save link
      </button>
      <FormError error={create.error} />
    </form>
  );
}
