// The extension's settings, in extension storage (chrome.storage.local):
// never in a page's context, where a site's scripts could read them.

/** What the options page stores. */
export interface Settings {
  /** The Atlas server, e.g. https://atlas.example.com (no trailing slash). */
  server: string;
  /** A personal API token (atlas_pat_...) of the write scope. */
  token: string;
  /** The collection saved to last (offered first). */
  lastCollection: string;
}

const keys = ['server', 'token', 'lastCollection'] as const;

/** Reads the settings (empty strings for what is not set). */
export async function loadSettings(): Promise<Settings> {
  const got = await chrome.storage.local.get([...keys]);
  const str = (k: (typeof keys)[number]) => (typeof got[k] === 'string' ? (got[k] as string) : '');
  return { server: str('server'), token: str('token'), lastCollection: str('lastCollection') };
}

/** Stores some settings. */
export async function saveSettings(s: Partial<Settings>): Promise<void> {
  await chrome.storage.local.set(s);
}

/** Forgets the token (signing out). */
export async function forgetToken(): Promise<void> {
  await chrome.storage.local.remove(['token']);
}

/**
 * Checks and tidies a server address: an http(s) origin, with a path if
 * Atlas is served under one; trailing slashes go.
 */
export function normaliseServer(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return (u.origin + u.pathname).replace(/\/+$/, '');
}
