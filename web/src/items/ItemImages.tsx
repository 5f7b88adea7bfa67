// An item's thumbnails in its card: the page's preview image in a box of
// fixed aspect ratio (nothing moves when it arrives), and the site's icon
// beside the site's name; a placeholder wherever there is none.
import { useRef, type RefObject } from 'react';
import type { Item } from '../api/types';
import { useItemImage, useNearViewport } from './imageHooks';

/** The preview box: the image when the item has one and it loaded, else a placeholder with the site's initial. */
export function CardPreview({ item, title, site }: { item: Item; title: string; site: string }) {
  const ref = useRef<HTMLDivElement>(null);
  return (
    <div className="card-preview" ref={ref}>
      {item.preview_url ? (
        <PreviewImage item={item} title={title} site={site} box={ref} />
      ) : (
        <PreviewPlaceholder site={site} />
      )}
    </div>
  );
}

function PreviewImage({ item, title, site, box }: { item: Item; title: string; site: string; box: RefObject<HTMLDivElement | null> }) {
  const near = useNearViewport(box);
  const img = useItemImage(item.id, 'preview', item.preview_url, near);
  if (!img.data) return <PreviewPlaceholder site={site} />;
  return <img src={img.data} alt={`Preview of “${title}”`} decoding="async" />;
}

function PreviewPlaceholder({ site }: { site: string }) {
  return (
    <span className="preview-placeholder" aria-hidden="true">
      {site.replace(/^www\./, '').charAt(0).toUpperCase()}
    </span>
  );
}

/** The site's icon (decorative: the site's name is beside it), or a blank square of the same size. */
export function SiteIcon({ item }: { item: Item }) {
  const ref = useRef<HTMLSpanElement>(null);
  return (
    <span className="site-icon" ref={ref} aria-hidden="true">
      {item.icon_url && <IconImage item={item} box={ref} />}
    </span>
  );
}

function IconImage({ item, box }: { item: Item; box: RefObject<HTMLSpanElement | null> }) {
  const near = useNearViewport(box);
  const img = useItemImage(item.id, 'icon', item.icon_url, near);
  return img.data ? <img src={img.data} alt="" width={16} height={16} /> : null;
}
