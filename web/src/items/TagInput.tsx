// A tag editor with autocomplete from the collection's tags, following the
// ARIA combobox pattern: type to filter, ↑/↓ to move, Enter or comma to add,
// Backspace on an empty box removes the last tag, Escape closes the list.
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { normaliseTags } from './tags';

export interface TagInputProps {
  label: string;
  value: string[];
  onChange(tags: string[]): void;
  /** Known tags to suggest. */
  suggestions: readonly string[];
  hint?: string;
  max?: number;
}

export function TagInput({ label, value, onChange, suggestions, hint, max = 50 }: TagInputProps) {
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  const matches = useMemo(() => {
    const q = text.trim().toLowerCase();
    return suggestions
      .filter((s) => !value.includes(s) && (q === '' || s.includes(q)))
      .sort((a, b) => Number(!a.startsWith(q)) - Number(!b.startsWith(q)) || a.localeCompare(b))
      .slice(0, 8);
  }, [suggestions, value, text]);
  const showList = open && matches.length > 0;

  function add(tag: string) {
    const next = normaliseTags([...value, tag]);
    if (next.length <= max) onChange(next);
    setText('');
    setActive(-1);
    // Close the list until the user types again or asks with ↓.
    setOpen(false);
  }

  function remove(tag: string) {
    onChange(value.filter((t) => t !== tag));
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        setOpen(true);
        setActive((a) => (matches.length === 0 ? -1 : (a + 1) % matches.length));
        break;
      case 'ArrowUp':
        e.preventDefault();
        setOpen(true);
        setActive((a) => (matches.length === 0 ? -1 : (a - 1 + matches.length) % matches.length));
        break;
      case 'Enter':
      case ',': {
        const chosen = showList && active >= 0 ? matches[active] : undefined;
        if (chosen !== undefined || text.trim() !== '') {
          e.preventDefault();
          add(chosen ?? text);
        } else if (e.key === ',') {
          e.preventDefault();
        }
        break;
      }
      case 'Backspace':
        if (text === '' && value.length > 0) {
          const last = value[value.length - 1];
          if (last !== undefined) remove(last);
        }
        break;
      case 'Escape':
        if (showList) {
          // Close the list, not the dialog around the form.
          e.preventDefault();
          e.stopPropagation();
          setOpen(false);
          setActive(-1);
        }
        break;
    }
  }

  const activeId = showList && active >= 0 ? `${id}-opt-${active}` : undefined;
  return (
    <div className="field tag-input">
      <label htmlFor={id}>{label}</label>
      {value.length > 0 && (
        <ul className="chips" aria-label={`${label} chosen`}>
          {value.map((t) => (
            <li key={t} className="chip">
              {t}
              <button type="button" className="chip-remove" aria-label={`Remove tag ${t}`} onClick={() => remove(t)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="combo">
        <input
          id={id}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={showList}
          aria-controls={listId}
          aria-activedescendant={activeId}
          aria-describedby={hint ? hintId : undefined}
          autoComplete="off"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onBlur={() => {
            setOpen(false);
            if (text.trim()) add(text);
          }}
          onKeyDown={onKeyDown}
        />
        <ul id={listId} role="listbox" aria-label={`${label} suggestions`} className="listbox" hidden={!showList}>
          {matches.map((m, i) => (
            <li
              key={m}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              // mousedown, not click: keep focus in the input.
              onMouseDown={(e) => {
                e.preventDefault();
                add(m);
              }}
            >
              {m}
            </li>
          ))}
        </ul>
      </div>
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
