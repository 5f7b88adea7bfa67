import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, item, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';
import { parseTags } from './SearchPage';

describe('SearchPage', () => {
  it('sends the query and filters, and shows highlighted hits', async () => {
    const hit = { ...item({ id: 'i7', title: 'Postgres locking' }), score: 3.2, highlights: { title: ['<mark>Postgres</mark> locking'], notes: ['row <mark>locks</mark> &amp; more'] } };
    const fake = fakeApi({
      'GET /api/v1/collections': () => json(200, page([collection()])),
      'GET /api/v1/search/items': () => json(200, { items: [hit], next_cursor: null, total: { value: 1, relation: 'eq' }, match: 'all' }),
    });
    const { user } = await renderSignedIn('/search', fake);
    await user.type(screen.getByRole('searchbox', { name: 'Search for' }), 'postgress');
    await user.type(screen.getByRole('textbox', { name: /^Tags \(comma/ }), 'DB, go');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    const results = await screen.findByRole('list', { name: 'Search results' });
    const link = within(results).getByRole('link', { name: 'Postgres locking' });
    expect(link).toHaveAttribute('href', '/items/i7');
    expect(within(results).getAllByText('Postgres', { selector: 'mark' })).toHaveLength(1);
    expect(within(results).getByText(/& more/)).toBeInTheDocument();
    expect(screen.getByText(/^1 result\b/)).toBeInTheDocument();
    const last = fake.callsTo('GET', '/api/v1/search/items').at(-1);
    expect(last?.query.get('q')).toBe('postgress');
    expect(last?.query.getAll('tags')).toEqual(['db', 'go']);
  });

  it('shows page-text highlights as snippets and a capped count as such', async () => {
    const hit = {
      ...item({ id: 'i8', title: 'Harbour history' }),
      score: 1.5,
      highlights: { content: ['the <mark>harbour</mark> <mark>master</mark> rang the fog signal'] },
    };
    const fake = fakeApi({
      'GET /api/v1/collections': () => json(200, page([collection()])),
      'GET /api/v1/search/items': () => json(200, { items: [hit], next_cursor: null, total: { value: 10000, relation: 'gte' }, match: 'any' }),
    });
    const { user } = await renderSignedIn('/search', fake);
    expect(screen.getByText(/search inside pages/)).toBeInTheDocument();
    await user.type(screen.getByRole('searchbox', { name: 'Search for' }), 'harbour master');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    const results = await screen.findByRole('list', { name: 'Search results' });
    expect(within(results).getByText('in the page:', { exact: false })).toBeInTheDocument();
    expect(within(results).getByText('master', { selector: 'mark' })).toBeInTheDocument();
    expect(screen.getByText(/^10,000\+ results with some of the words/)).toBeInTheDocument();
  });

  it('shows a 404 from the search API as an error: the route always ships', async () => {
    await renderSignedIn('/search', fakeApi({ 'GET /api/v1/collections': () => json(200, page([])) }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Search failed');
    expect(alert).toHaveTextContent(/not found/);
    expect(screen.queryByText(/not available/)).not.toBeInTheDocument();
  });

  it('parses comma-separated tags', () => {
    expect(parseTags(' Go, db ,, go')).toEqual(['db', 'go']);
  });
});
