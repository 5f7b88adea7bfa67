// The account page's ways in: a token for the browser extension in one
// click, the bookmarklet, and how to install the dashboard as an app.
import { useEffect, useRef, useState } from 'react';
import { useCreateApiToken } from '../account/hooks';
import { FormError } from '../ui/States';
import { bookmarklet } from './share';

/** The name of the tokens the one-click button creates (the extension needs to read and to save). */
export const extensionTokenName = 'Browser extension';

export function CaptureSection() {
  const create = useCreateApiToken();
  const [copied, setCopied] = useState(false);
  const link = useRef<HTMLAnchorElement>(null);
  const origin = window.location.origin;
  const code = bookmarklet(origin);
  useEffect(() => {
    // React refuses javascript: URLs in href; a bookmarklet is one by design.
    link.current?.setAttribute('href', code);
  }, [code]);

  async function copy(secret: string) {
    await navigator.clipboard.writeText(secret);
    setCopied(true);
  }
  return (
    <section aria-labelledby="capture-heading" className="panel">
      <h2 id="capture-heading">Save from anywhere</h2>
      <h3>Browser extension</h3>
      <p className="muted">
        The extension saves the page you are on (with the text you selected as a quote) and keeps it as you see it. It signs in with a
        token that can read and save; revoke it below at any time.
      </p>
      <button type="button" className="primary" disabled={create.isPending} onClick={() => create.mutate({ name: extensionTokenName, scope: 'write' })}>
        Create a token for the browser extension
      </button>
      <FormError error={create.error} />
      {create.data && (
        <div className="notice" role="status">
          <p>In the extension's options, enter this server and the token. Copy it now: it will not be shown again.</p>
          <dl className="meta">
            <dt>Server</dt>
            <dd>
              <code data-testid="extension-server">{origin}</code>
            </dd>
            <dt>Token</dt>
            <dd>
              <code data-testid="extension-token">{create.data.token}</code>{' '}
              <button type="button" onClick={() => void copy(create.data.token)}>
                {copied ? 'Copied' : 'Copy'}
              </button>
            </dd>
          </dl>
        </div>
      )}
      <h3>Bookmarklet</h3>
      <p className="muted">
        Drag this link to your bookmarks bar; on any page, click it to save the page (and the text you selected) here.
      </p>
      <p>
        <a ref={link} className="bookmarklet" data-testid="bookmarklet" onClick={(e) => e.preventDefault()}>
          Save to Atlas
        </a>
      </p>
      <h3>On your phone</h3>
      <p className="muted">
        Install Atlas from your browser's menu (Add to home screen / Install app): it then appears when you share a link, and opens
        the save form with it.
      </p>
    </section>
  );
}
