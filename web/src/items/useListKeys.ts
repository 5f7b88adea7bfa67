// j/k move through a list of items, x selects the focused one, Enter opens
// it (the list scrolls the focused card into view and its link takes focus:
// VirtualItems). Keys typed into fields are left alone.
import { useEffect, useState } from 'react';

/** Whether a key event comes from a place where typing means text. */
export function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** The id of the item j/k last moved to; x calls onSelect with it. */
export function useListKeys(ids: readonly string[], onSelect?: (id: string) => void): string | null {
  const [focused, setFocused] = useState<string | null>(null);
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target) || document.querySelector('dialog[open]')) return;
      if (e.key !== 'j' && e.key !== 'k' && e.key !== 'x') return;
      if (ids.length === 0) return;
      const at = focused ? ids.indexOf(focused) : -1;
      if (e.key === 'x') {
        if (focused && onSelect) onSelect(focused);
        return;
      }
      const next = e.key === 'j' ? Math.min(at + 1, ids.length - 1) : Math.max(at - 1, 0);
      setFocused(ids[next] ?? null);
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ids, focused, onSelect]);
  return focused;
}
