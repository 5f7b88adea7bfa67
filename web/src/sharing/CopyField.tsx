// A read-only URL with a copy button.
import { useState } from 'react';

export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    await navigator.clipboard.writeText(value);
    setCopied(true);
  }
  return (
    <p className="copy-field">
      <span className="muted small">{label}</span>{' '}
      <code data-testid={testId}>{value}</code>{' '}
      <button type="button" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
        <span className="visually-hidden"> {label}</span>
      </button>
    </p>
  );
}
