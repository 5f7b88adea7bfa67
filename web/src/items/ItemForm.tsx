// The fields of an item, for both creating and editing.
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../api/problem';
import type { Item } from '../api/types';
import { Field } from '../ui/Field';
import { FormError } from '../ui/States';
import { TagInput } from './TagInput';
import { normaliseTags } from './tags';

export interface ItemValues {
  title: string;
  source_url: string;
  description: string;
  notes: string;
  tags: string[];
}

export function valuesOf(item?: Item): ItemValues {
  return {
    title: item?.title ?? '',
    source_url: item?.source_url ?? '',
    description: item?.description ?? '',
    notes: item?.notes ?? '',
    tags: item?.tags ?? [],
  };
}

export interface ItemFormProps {
  initial: ItemValues;
  suggestions: readonly string[];
  busy: boolean;
  error: unknown;
  submitLabel: string;
  onSubmit(values: ItemValues): void;
  onCancel(): void;
}

export function ItemForm({ initial, suggestions, busy, error, submitLabel, onSubmit, onCancel }: ItemFormProps) {
  const [v, setV] = useState(initial);
  const errors = fieldErrors(error);
  const set = (k: 'title' | 'source_url' | 'description' | 'notes') => (e: { target: { value: string } }) =>
    setV((prev) => ({ ...prev, [k]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    onSubmit({
      title: v.title.trim(),
      source_url: v.source_url.trim(),
      description: v.description.trim(),
      notes: v.notes,
      tags: normaliseTags(v.tags),
    });
  }

  return (
    <form onSubmit={submit} className="item-form">
      <Field label="Title" error={errors.title}>
        <input required maxLength={500} value={v.title} onChange={set('title')} data-autofocus />
      </Field>
      <Field label="URL" hint="Optional. An http:// or https:// link; Atlas fetches its title and description." error={errors.source_url}>
        <input type="url" inputMode="url" maxLength={2048} placeholder="https://" value={v.source_url} onChange={set('source_url')} />
      </Field>
      <Field label="Description" error={errors.description}>
        <textarea rows={3} maxLength={5000} value={v.description} onChange={set('description')} />
      </Field>
      <Field label="Notes" error={errors.notes}>
        <textarea rows={5} maxLength={20000} value={v.notes} onChange={set('notes')} />
      </Field>
      <TagInput
        label="Tags"
        value={v.tags}
        onChange={(tags) => setV((prev) => ({ ...prev, tags }))}
        suggestions={suggestions}
        hint="Press Enter or comma to add a tag; ↓ to pick one this collection already uses."
      />
      {errors.tags && <p className="field-error">{errors.tags}</p>}
      <FormError error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || v.title.trim() === ''}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
