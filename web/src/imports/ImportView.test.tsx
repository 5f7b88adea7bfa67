import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../api/types';
import { ImportView } from './ImportPage';

const base: ImportReport = {
  id: 'imp1',
  collection_id: 'c1',
  status: 'RUNNING',
  format: 'netscape',
  on_duplicate: 'skip',
  size_bytes: 1000,
  bytes_done: 250,
  total: 3,
  created: 2,
  updated: 0,
  skipped: 1,
  failed: 0,
  created_at: '2026-12-02T06:00:00Z',
  started_at: '2026-12-02T06:00:01Z',
  finished_at: null,
  errors: [{ line: 12, outcome: 'skipped', url: 'javascript:void(0)', title: 'Bookmarklet', reason: 'not an http(s) link (javascript:)' }],
};

describe('ImportView', () => {
  it('shows progress as the share of the file read, the counts and the report', () => {
    render(<ImportView imp={base} />);
    expect(screen.getByRole('progressbar', { name: 'Import progress' })).toHaveAttribute('value', '25');
    expect(screen.getByText('2 created, 0 updated, 1 skipped, 0 failed')).toBeInTheDocument();
    const row = within(screen.getByRole('table', { name: 'Import report' })).getByRole('row', { name: /Bookmarklet/ });
    expect(within(row).getByText('not an http(s) link (javascript:)')).toBeInTheDocument();
    expect(within(row).getByText('12')).toBeInTheDocument();
  });

  it('says why a failed import stopped and has no table without report lines', () => {
    render(<ImportView imp={{ ...base, status: 'FAILED', failure: 'the uploader may no longer add items to the collection', errors: [] }} />);
    expect(screen.getByRole('alert')).toHaveTextContent('the uploader may no longer add items');
    expect(screen.queryByRole('table')).toBeNull();
  });
});
