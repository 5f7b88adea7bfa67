import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { TagInput } from './TagInput';

function Harness({ initial = [] as string[] }) {
  const [tags, setTags] = useState(initial);
  return (
    <>
      <TagInput label="Tags" value={tags} onChange={setTags} suggestions={['golang', 'go-concurrency', 'postgres']} />
      <output data-testid="value">{tags.join('|')}</output>
    </>
  );
}

const value = () => screen.getByTestId('value').textContent;

describe('TagInput', () => {
  it('adds typed tags, normalised, on Enter and comma', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const box = screen.getByRole('combobox', { name: 'Tags' });
    await user.type(box, '  Rust {Enter}');
    await user.type(box, 'wasm,');
    await user.type(box, 'RUST{Enter}');
    expect(value()).toBe('rust|wasm');
    expect(box).toHaveValue('');
  });

  it('suggests known tags and picks one with the keyboard', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const box = screen.getByRole('combobox', { name: 'Tags' });
    await user.type(box, 'go');
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['go-concurrency', 'golang']);
    expect(box).toHaveAttribute('aria-expanded', 'true');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(box).toHaveAttribute('aria-activedescendant', options[1]?.id);
    await user.keyboard('{Enter}');
    expect(value()).toBe('golang');
    expect(box).toHaveAttribute('aria-expanded', 'false');
  });

  it('removes tags with their button and with Backspace', async () => {
    const user = userEvent.setup();
    render(<Harness initial={['a', 'b', 'c']} />);
    await user.click(screen.getByRole('button', { name: 'Remove tag b' }));
    expect(value()).toBe('a|c');
    await user.click(screen.getByRole('combobox', { name: 'Tags' }));
    await user.keyboard('{Backspace}');
    expect(value()).toBe('a');
  });

  it('closes the list on Escape without losing the text', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const box = screen.getByRole('combobox', { name: 'Tags' });
    await user.type(box, 'post');
    expect(screen.getByRole('listbox', { hidden: true })).toBeVisible();
    await user.keyboard('{Escape}');
    expect(box).toHaveAttribute('aria-expanded', 'false');
    expect(box).toHaveValue('post');
  });
});
