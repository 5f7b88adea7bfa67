// Functions the extension runs in the page (chrome.scripting.executeScript
// serialises each one: they must not use anything from outside their own
// body). They read the page; they never see the extension's settings.

/** The text the person has selected in the page. */
export function selectedText(): string {
  return String(window.getSelection() ?? '').trim();
}

/**
 * The page as the person sees it: the rendered DOM serialised to HTML with
 * scripts, frames, plug-ins and inline event handlers removed; same-origin
 * style sheets inlined, images drawn to data: URLs where the browser allows
 * it (same-origin or CORS) and they are small, canvases kept as images,
 * form fields with their current values, every remaining link absolute.
 * The server sanitises the copy again before storing it.
 */
export function serialisePage(imageBudget: number): string {
  const live = document.documentElement;
  const copy = live.cloneNode(true) as HTMLElement;
  let budget = imageBudget;

  // Images: the live element has the decoded pixels, the copy gets the URL.
  const liveImgs = Array.from(live.querySelectorAll('img'));
  const copyImgs = Array.from(copy.querySelectorAll('img'));
  liveImgs.forEach((img, i) => {
    const out = copyImgs[i];
    if (!out) return;
    out.removeAttribute('srcset');
    out.removeAttribute('loading');
    const src = img.currentSrc || img.src;
    if (src) out.setAttribute('src', src);
    if (!img.complete || img.naturalWidth === 0 || img.naturalWidth * img.naturalHeight > 2_000_000 || src.startsWith('data:')) return;
    try {
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      c.getContext('2d')?.drawImage(img, 0, 0);
      const data = c.toDataURL('image/png');
      if (data.length < budget) {
        out.setAttribute('src', data);
        budget -= data.length;
      }
    } catch {
      // A cross-origin image taints the canvas: keep its URL.
    }
  });
  const liveCanvases = Array.from(live.querySelectorAll('canvas'));
  Array.from(copy.querySelectorAll('canvas')).forEach((c, i) => {
    try {
      const img = document.createElement('img');
      img.src = liveCanvases[i]?.toDataURL('image/png') ?? '';
      img.width = c.width;
      img.height = c.height;
      c.replaceWith(img);
    } catch {
      c.remove();
    }
  });

  // Style sheets the page may read (same origin) become <style> elements.
  const liveLinks = Array.from(live.querySelectorAll('link[rel~="stylesheet"]')) as HTMLLinkElement[];
  const copyLinks = Array.from(copy.querySelectorAll('link[rel~="stylesheet"]'));
  liveLinks.forEach((l, i) => {
    const out = copyLinks[i];
    if (!out) return;
    try {
      const rules = l.sheet ? Array.from(l.sheet.cssRules) : null;
      if (!rules) return;
      const style = document.createElement('style');
      style.textContent = rules.map((r) => r.cssText).join('\n');
      out.replaceWith(style);
    } catch {
      // A cross-origin sheet cannot be read: keep the link.
    }
  });

  // Form fields as they are filled in.
  const liveFields = Array.from(live.querySelectorAll('input, textarea, select'));
  Array.from(copy.querySelectorAll('input, textarea, select')).forEach((f, i) => {
    const l = liveFields[i];
    if (l instanceof HTMLInputElement) {
      if (l.type === 'password') f.removeAttribute('value');
      else if (l.type === 'checkbox' || l.type === 'radio') f.toggleAttribute('checked', l.checked);
      else f.setAttribute('value', l.value);
    } else if (l instanceof HTMLTextAreaElement) {
      f.textContent = l.value;
    }
  });

  // Nothing that runs, embeds another document or navigates by itself.
  copy.querySelectorAll('script, noscript, iframe, frame, frameset, object, embed, applet, base, template, meta[http-equiv]').forEach((e) => e.remove());
  for (const el of Array.from(copy.querySelectorAll('*'))) {
    for (const a of Array.from(el.attributes)) {
      // Browsers ignore whitespace and control characters in a URL's scheme.
      const v = Array.from(a.value)
        .filter((ch) => ch.charCodeAt(0) > 0x20)
        .join('')
        .toLowerCase();
      if (a.name.startsWith('on') || v.startsWith('javascript:') || v.startsWith('vbscript:')) el.removeAttribute(a.name);
    }
    if (el instanceof HTMLAnchorElement || el instanceof HTMLLinkElement) {
      const href = el.getAttribute('href');
      if (href && !href.startsWith('#')) el.setAttribute('href', new URL(href, document.baseURI).href);
    }
  }
  return `<!doctype html>\n${copy.outerHTML}`;
}
