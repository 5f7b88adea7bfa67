import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { item } from '../test/fakeApi';
import { ItemCard } from './ItemCard';

function show(over: Parameters<typeof item>[0]) {
  render(
    <MemoryRouter>
      <ul>
        <ItemCard item={item(over)} selectable={false} selected={false} focused={false} onSelect={() => undefined} />
      </ul>
    </MemoryRouter>,
  );
}

describe('ItemCard', () => {
  it('fills a link saved by URL alone with what Atlas learnt about the page', () => {
    show({
      title: 'https://go.dev/ref/mem',
      source_url: 'https://go.dev/ref/mem',
      metadata_json: { title: 'The Go Memory Model', description: 'How goroutines see memory.', site_name: 'go.dev' },
      notes: 'Read before the talk.',
      enrichment: 'done',
    });
    expect(screen.getByRole('link', { name: 'The Go Memory Model' })).toBeInTheDocument();
    expect(screen.getByText('How goroutines see memory.')).toBeInTheDocument();
    expect(screen.getByText('Read before the talk.')).toBeInTheDocument();
    expect(screen.getByText('Searchable')).toBeInTheDocument();
  });

  it('shows the state chips the server reports', () => {
    show({ enrichment: 'enriching', index_status: 'pending' });
    expect(screen.getByText('Fetching details…')).toBeInTheDocument();
    expect(screen.getByText('Indexing…')).toBeInTheDocument();
  });

  it('renders HTML in a title as text', () => {
    show({ title: '<img src=x onerror=alert(1)>' });
    expect(screen.getByRole('link', { name: '<img src=x onerror=alert(1)>' })).toBeInTheDocument();
    expect(document.querySelector('img')).toBeNull();
  });
});
