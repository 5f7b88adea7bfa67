// Create or rename a collection.
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../api/problem';
import type { Collection } from '../api/types';
import { Dialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { FormError } from '../ui/States';

export interface CollectionDialogProps {
  open: boolean;
  /** The collection to rename; absent to create one. */
  collection?: Collection;
  busy: boolean;
  error: unknown;
  onSubmit(values: { name: string; description: string }): void;
  onClose(): void;
}

export function CollectionDialog(props: CollectionDialogProps) {
  // Remount the form each time the dialog opens so it starts from the current values.
  return (
    <Dialog open={props.open} title={props.collection ? 'Rename collection' : 'New collection'} onClose={props.onClose}>
      {props.open && <CollectionForm key={props.collection?.id ?? 'new'} {...props} />}
    </Dialog>
  );
}

function CollectionForm({ collection, busy, error, onSubmit, onClose }: CollectionDialogProps) {
  const [name, setName] = useState(collection?.name ?? '');
  const [description, setDescription] = useState(collection?.description ?? '');
  const errors = fieldErrors(error);
  function submit(e: FormEvent) {
    e.preventDefault();
    onSubmit({ name: name.trim(), description: description.trim() });
  }
  return (
    <form onSubmit={submit}>
      <Field label="Name" error={errors.name}>
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Description" hint="Optional. What is this collection for?" error={errors.description}>
        <textarea rows={3} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <FormError error={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
          {busy ? 'Saving…' : collection ? 'Save' : 'Create collection'}
        </button>
      </div>
    </form>
  );
}
