// Server state of items' thumbnails (the preview image and the site icon
// Atlas made and serves itself). The API needs the session's bearer token,
// so an image is fetched with the API client and shown as a data: URL: the
// browser never loads anything from the saved page's site, and the
// Content-Security-Policy stays as it is (img-src 'self' data:).
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type RefObject } from 'react';
import { unwrap } from '../api/client';
import { useSession } from '../auth/session';

export type ImageKind = 'preview' | 'icon';

export const itemImageKeys = {
  all: ['item-images'] as const,
  /** One version of one thumbnail: a new version is a new key, so a cached image never goes stale. */
  one: (itemId: string, kind: ImageKind, version: string) => ['item-images', itemId, kind, version] as const,
};

/** The v parameter of an item's preview_url or icon_url ('' when there is none). */
export function imageVersion(url: string | undefined): string {
  if (!url) return '';
  return new URL(url, 'http://atlas.invalid').searchParams.get('v') ?? '';
}

/** The bytes as a data: URL of the type Atlas served (a JPEG or a PNG; anything else is refused). */
function toDataURL(buf: ArrayBuffer, contentType: string | null): string {
  if (contentType !== 'image/jpeg' && contentType !== 'image/png') throw new Error(`unexpected image type ${contentType}`);
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${contentType};base64,${btoa(s)}`;
}

/**
 * An item's thumbnail as a data: URL, fetched once the element is near the
 * viewport (enabled); the versioned URL lets the browser cache it for a year.
 */
export function useItemImage(itemId: string, kind: ImageKind, url: string | undefined, enabled: boolean) {
  const { api } = useSession();
  const v = imageVersion(url);
  return useQuery({
    queryKey: itemImageKeys.one(itemId, kind, v),
    enabled: enabled && v !== '',
    staleTime: Infinity,
    retry: 1,
    queryFn: async ({ signal }) => {
      const opts = { params: { path: { id: itemId }, query: { v } }, parseAs: 'arrayBuffer' as const, signal };
      const call = kind === 'preview' ? api.GET('/api/v1/items/{id}/preview', opts) : api.GET('/api/v1/items/{id}/icon', opts);
      const buf = (await unwrap(call)) as ArrayBuffer;
      return toDataURL(buf, (await call).response.headers.get('Content-Type'));
    },
  });
}

/** Whether the element is within a screen's height of the viewport (always true where IntersectionObserver is missing). */
export function useNearViewport(ref: RefObject<Element | null>): boolean {
  const [near, setNear] = useState(typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (near || !el) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setNear(true);
    }, { rootMargin: '100% 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [ref, near]);
  return near;
}
