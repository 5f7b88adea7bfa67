// A collection's items as a virtualised list (TanStack Virtual): only the
// rows near the screen are in the page, so 10,000 items scroll as smoothly
// as 20. Cards sit in a CSS grid whose rows are the virtual rows (as many
// cards per row as the grid has columns); the rows above and below the
// rendered ones are padding. The next page loads as its end comes into view.
// j/k scroll the item they move to into view before focusing it.
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { Item } from '../api/types';

/** Where a card sits in the virtual list: its row, and the ref that measures the row (the row's first card). */
export interface Place {
  row: number;
  measure?: (el: HTMLLIElement | null) => void;
}

interface Props {
  items: readonly Item[];
  view: 'cards' | 'list';
  /** The item j/k moved to: scrolled into view and its link focused. */
  focused: string | null;
  /** Whether the server has more items after the loaded ones (and loading them has not failed). */
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): void;
  renderItem(it: Item, place: Place): ReactNode;
}

/** Rows before the end at which the next page starts loading. */
const loadAhead = 6;

/** The grid's column count and row gap as the browser laid them out (1 and 0 where there is no layout). */
function gridShape(el: HTMLElement | null, view: Props['view']): { cols: number; gap: number } {
  if (!el) return { cols: 1, gap: 0 };
  const style = getComputedStyle(el);
  const gap = Number.parseFloat(style.rowGap) || 0;
  const tracks = style.gridTemplateColumns;
  if (view === 'list' || !tracks || tracks === 'none' || tracks.includes('(')) return { cols: 1, gap };
  return { cols: Math.max(1, tracks.split(' ').filter(Boolean).length), gap };
}

export function VirtualItems({ items, view, focused, hasMore, loadingMore, loadMore, renderItem }: Props) {
  const listRef = useRef<HTMLUListElement>(null);
  const [shape, setShape] = useState({ cols: 1, gap: 0 });
  const [scrollMargin, setScrollMargin] = useState(0);
  const { cols, gap } = shape;
  const rowCount = Math.ceil(items.length / cols);

  const estimateSize = useCallback(() => (view === 'list' ? 72 : 200), [view]);
  const virtualizer = useWindowVirtualizer({
    count: rowCount,
    estimateSize,
    // Rows kept in the page beyond the screen each way: a short collection is
    // whole in the page, a long one keeps about two screens of cards.
    overscan: 6,
    gap,
    scrollMargin,
  });

  // Columns follow the window's width; the list's place on the page follows
  // whatever sits above it (filters, the bulk bar, notices).
  useLayoutEffect(() => {
    const measure = () => {
      const next = gridShape(listRef.current, view);
      setShape((s) => (s.cols === next.cols && s.gap === next.gap ? s : next));
    };
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [view]);
  useLayoutEffect(() => {
    const place = () => {
      const el = listRef.current;
      if (el) setScrollMargin(Math.round(el.getBoundingClientRect().top + window.scrollY));
    };
    place();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(place);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);

  const rows = virtualizer.getVirtualItems();
  const last = rows.at(-1)?.index ?? -1;
  useEffect(() => {
    if (hasMore && !loadingMore && last >= rowCount - loadAhead) loadMore();
  }, [hasMore, loadingMore, last, rowCount, loadMore]);

  // j/k: bring the focused item's row into view, then focus its link once rendered.
  const wantFocus = useRef<string | null>(null);
  useEffect(() => {
    if (!focused) return;
    const at = items.findIndex((it) => it.id === focused);
    if (at < 0) return;
    wantFocus.current = focused;
    virtualizer.scrollToIndex(Math.floor(at / cols), { align: 'auto' });
    // The virtualizer is stable; scroll only when the focus moves.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focused]);
  useLayoutEffect(() => {
    const id = wantFocus.current;
    if (!id) return;
    const link = listRef.current?.querySelector<HTMLElement>(`[data-item-id="${id}"] h3 a`);
    if (link) {
      wantFocus.current = null;
      link.focus({ preventScroll: true });
    }
  });

  const first = rows[0];
  const end = rows.at(-1);
  const before = first ? first.start - scrollMargin : 0;
  const after = end ? Math.max(0, virtualizer.getTotalSize() - (end.end - scrollMargin)) : 0;
  return (
    <ul
      ref={listRef}
      className={view === 'list' ? 'item-list compact' : 'item-grid'}
      aria-label="Items"
      style={{ paddingTop: before, paddingBottom: after }}
    >
      {rows.flatMap((row) =>
        items
          .slice(row.index * cols, row.index * cols + cols)
          .map((it, c) => renderItem(it, { row: row.index, measure: c === 0 ? virtualizer.measureElement : undefined })),
      )}
    </ul>
  );
}
