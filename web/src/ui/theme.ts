// The colour theme: follows the system unless the person picks light or
// dark; the choice is remembered in this browser. The theme is a set of CSS
// variables (styles.css), switched by data-theme on <html>.

export type Theme = 'system' | 'light' | 'dark';
const key = 'atlas.theme';

export function savedTheme(): Theme {
  try {
    const v = localStorage.getItem(key);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** Applies a theme to the document and remembers it. */
export function applyTheme(t: Theme) {
  const root = document.documentElement;
  if (t === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', t);
  try {
    if (t === 'system') localStorage.removeItem(key);
    else localStorage.setItem(key, t);
  } catch {
    // Storage may be off: the choice lasts for this page.
  }
}
