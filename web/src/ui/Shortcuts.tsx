// Keyboard shortcuts everywhere in the signed-in app: / search, n new item
// (the quick-add field of a collection), ? lists them all. j, k and x work
// in a collection's items (items/useListKeys).
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { typingIn } from '../items/useListKeys';
import { Dialog } from './Dialog';

const keys: [string, string][] = [
  ['/', 'Search'],
  ['n', 'New item: paste a link in the open collection'],
  ['j / k', 'Next / previous item'],
  ['x', 'Select the current item'],
  ['?', 'Show these shortcuts'],
];

export function Shortcuts() {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target) || document.querySelector('dialog[open]')) return;
      if (e.key === '?') {
        e.preventDefault();
        setOpen(true);
      } else if (e.key === '/') {
        e.preventDefault();
        const box = document.querySelector<HTMLInputElement>('input[type="search"]');
        if (box) box.focus();
        else void navigate('/search');
      } else if (e.key === 'n') {
        const quick = document.querySelector<HTMLInputElement>('[data-shortcut="new-item"]');
        if (quick) {
          e.preventDefault();
          quick.focus();
        }
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);
  return (
    <Dialog open={open} title="Keyboard shortcuts" onClose={() => setOpen(false)}>
      <dl className="shortcuts">
        {keys.map(([k, what]) => (
          <div key={k} className="dl-row">
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
