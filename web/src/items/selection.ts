// Selecting items: single toggles, shift-click ranges, all.

/**
 * The selection after clicking id in the list ids: with shift and an anchor,
 * every item between the anchor and id takes the clicked item's new state;
 * otherwise only id toggles.
 */
export function clickSelect(ids: readonly string[], selected: ReadonlySet<string>, id: string, anchor: string | null, shift: boolean): Set<string> {
  const next = new Set(selected);
  const on = !selected.has(id);
  const a = anchor ? ids.indexOf(anchor) : -1;
  const b = ids.indexOf(id);
  if (shift && a >= 0 && b >= 0) {
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
      const x = ids[i];
      if (x === undefined) continue;
      if (on) next.add(x);
      else next.delete(x);
    }
    return next;
  }
  if (on) next.add(id);
  else next.delete(id);
  return next;
}
