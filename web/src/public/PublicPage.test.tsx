import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, page, problem } from '../test/fakeApi';
import { renderApp } from '../test/render';

const published = {
  name: 'Reading list',
  description: 'Things worth reading',
  expires_at: null,
  indexable: false,
  feeds: { atom: '/feeds/public/tok/atom', rss: '/feeds/public/tok/rss', json: '/feeds/public/tok/json' },
};
const memoryModel = {
  id: 'i1',
  title: 'The Go Memory Model',
  source_url: 'https://go.dev/ref/mem',
  description: '',
  tags: ['go'],
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
};

describe('PublicPage', () => {
  it('shows a published collection signed out, asks robots not to index it, and searches it', async () => {
    const fake = fakeApi({
      'GET /api/v1/public/:token': () => json(200, published),
      'GET /api/v1/public/:token/items': () => json(200, page([memoryModel])),
      'GET /api/v1/public/:token/tags': () => json(200, page([{ name: 'go', item_count: 1 }])),
      'GET /api/v1/public/:token/search': () => json(200, page([])),
    });
    const { user } = renderApp('/p/tok', fake);
    expect(await screen.findByRole('heading', { name: 'Reading list' })).toBeInTheDocument();
    const items = await screen.findByRole('list', { name: 'Items' });
    expect(within(items).getByRole('link', { name: 'The Go Memory Model' })).toHaveAttribute('href', 'https://go.dev/ref/mem');
    expect(screen.getByRole('link', { name: 'Atom feed' })).toHaveAttribute('href', '/feeds/public/tok/atom');
    expect(document.head.querySelector('meta[name="robots"]')).toHaveAttribute('content', 'noindex');
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();

    await user.type(screen.getByRole('searchbox', { name: 'Search this collection' }), 'kafka');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('Nothing matches')).toBeInTheDocument();
    expect(fake.callsTo('GET', '/api/v1/public/tok/search')[0]?.query.get('q')).toBe('kafka');
    expect(fake.calls.every((c) => c.auth === null)).toBe(true);
  });

  it('says a revoked or expired link does not work', async () => {
    renderApp('/p/gone', fakeApi({ 'GET /api/v1/public/:token': () => problem(404, 'public link not found') }));
    expect(await screen.findByText('This link does not work')).toBeInTheDocument();
  });
});
