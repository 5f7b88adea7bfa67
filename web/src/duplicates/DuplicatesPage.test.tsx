import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DuplicateGroup, DuplicateMatch } from '../api/types';
import { fakeApi, item, json, page, problem } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

function match(over: Partial<DuplicateMatch>): DuplicateMatch {
  return { item_id: 'i1', collection_id: 'c1', collection_name: 'Reading list', title: 'Memory model', source_url: 'https://go.dev/ref/mem',
    version: 3, can_edit: true, ...over };
}

const exact: DuplicateGroup = {
  kind: 'exact',
  key: 'https://go.dev/ref/mem',
  items: [match({}), match({ item_id: 'i2', collection_id: 'c2', collection_name: 'Work', title: 'Go memory', version: 1 })],
};
const near: DuplicateGroup = {
  kind: 'title_host',
  key: 'go.dev memory model',
  items: [match({ item_id: 'i3' }), match({ item_id: 'i4', collection_name: 'Shared', can_edit: false, source_url: 'https://go.dev/mem' })],
};

function api(merge: () => Response) {
  return fakeApi({
    'GET /api/v1/duplicates': ({ url }) => {
      const kind = url.searchParams.get('kind');
      return json(200, page(kind === 'exact' ? [exact] : kind === 'title_host' ? [near] : []));
    },
    'POST /api/v1/duplicates/merge': merge,
  });
}

describe('DuplicatesPage', () => {
  it('groups duplicates, flags near-duplicates apart and merges into the item picked', async () => {
    const fake = api(() => json(200, item({ id: 'i2', title: 'Go memory' })));
    const { user } = await renderSignedIn('/duplicates', fake);
    const group = await screen.findByRole('article', { name: 'Saved as https://go.dev/ref/mem' });
    expect(screen.getByText('near-duplicate: the same title on one site')).toBeInTheDocument();
    expect(screen.getByText(/You can only read “Memory model” \(Shared\)/)).toBeInTheDocument();

    await user.click(within(group).getByRole('radio', { name: 'Keep “Go memory” in Work' }));
    await user.click(within(group).getByRole('button', { name: 'Merge 2 items…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Merge duplicates?' });
    await user.click(within(dialog).getByRole('button', { name: 'Merge into “Go memory”' }));
    expect(await screen.findByText(/Merged 1 item into/)).toHaveTextContent('Merged 1 item into Go memory');
    expect(fake.callsTo('POST', '/api/v1/duplicates/merge')[0]?.body).toEqual({ keep: { id: 'i2', version: 1 }, others: [{ id: 'i1', version: 3 }] });
    // The list is read again after the merge.
    await expect.poll(() => fake.callsTo('GET', '/api/v1/duplicates').length).toBeGreaterThan(3);
  });

  it.each([
    [403, 'merging needs edit access to every item'],
    [409, 'changed since this list was loaded'],
    [404, 'is gone (deleted, or no longer shared with you)'],
  ])('explains a %i', async (status, words) => {
    const fake = api(() => problem(status, 'refused'));
    const { user } = await renderSignedIn('/duplicates', fake);
    const group = await screen.findByRole('article', { name: 'Saved as https://go.dev/ref/mem' });
    await user.click(within(group).getByRole('button', { name: 'Merge 2 items…' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: /^Merge into/ }));
    expect(await within(group).findByRole('alert')).toHaveTextContent(words);
  });
});
