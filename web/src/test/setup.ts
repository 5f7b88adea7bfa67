import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom has <dialog> but not its modal methods; emulate the parts the app uses.
if (!HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
  };
}

// jsdom does not scroll; the virtualised lists ask it to (j/k, measuring).
window.scrollTo = () => undefined;

// findBy* waits up to 8 s: CI machines with two cores are slow to render the first test of a file.
configure({ asyncUtilTimeout: 8000 });

afterEach(() => cleanup());
