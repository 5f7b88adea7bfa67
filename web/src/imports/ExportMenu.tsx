// The Export menu of a collection: downloads it as a bookmark file any
// browser imports, or as Atlas' JSON export with every field. The download
// needs the bearer token, so it is fetched and handed over as a blob.
import { useState } from 'react';
import { useSession } from '../auth/session';

export function ExportMenu({ collectionId }: { collectionId: string }) {
  const { api } = useSession();
  const [error, setError] = useState('');
  const download = async (format: 'netscape' | 'json') => {
    setError('');
    const { response } = await api.GET('/api/v1/collections/{id}/export', {
      params: { path: { id: collectionId }, query: { format } },
      parseAs: 'blob',
    });
    if (!response.ok) {
      setError(`Export failed (${response.status}).`);
      return;
    }
    const blob = await response.clone().blob();
    const name = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? `export.${format === 'json' ? 'json' : 'html'}`;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <details className="menu">
      <summary>Export</summary>
      <button type="button" onClick={() => void download('netscape')}>
        Bookmark file (HTML)
      </button>
      <button type="button" onClick={() => void download('json')}>
        Atlas JSON (every field)
      </button>
      {error && <p role="alert">{error}</p>}
    </details>
  );
}
