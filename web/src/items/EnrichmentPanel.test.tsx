import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatBytes, PageTextLine } from './EnrichmentPanel';

describe('PageTextLine', () => {
  it('says the page text is captured, and its size', () => {
    render(
      <PageTextLine
        pageText={{ status: 'captured', size_bytes: 18234, truncated: false, language: 'en', skip_reason: '', extracted_at: '2026-01-01T10:00:00Z' }}
      />,
    );
    expect(screen.getByText(/^Page text captured \(17\.8 KiB, en\)/)).toBeInTheDocument();
  });

  it('says why the page text was skipped', () => {
    render(
      <PageTextLine
        pageText={{ status: 'skipped', size_bytes: 0, truncated: false, language: '', skip_reason: 'image/png is not a supported content type', extracted_at: '2026-01-01T10:00:00Z' }}
      />,
    );
    expect(screen.getByText('Page text not captured: image/png is not a supported content type')).toBeInTheDocument();
  });

  it('shows nothing before the page was fetched', () => {
    const { container } = render(
      <PageTextLine pageText={{ status: 'none', size_bytes: 0, truncated: false, language: '', skip_reason: '', extracted_at: null }} />,
    );
    expect(container).toBeEmptyDOMElement();
  });

  it('formats sizes', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(524288)).toBe('512.0 KiB');
  });
});
