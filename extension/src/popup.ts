// The toolbar popup (also the keyboard shortcut's): saves the current tab
// to a collection, with tags, a note and the selected text as a quote, and
// says whether the page is saved already and where. Opened as a page with
// ?tab=<id>, it saves that tab instead of the active one.
import type { ApiClient } from '../../web/src/api/client';
import { client, explain, itemURL, savedAs, save, splitTags, tabSelection, tagNames, writableCollections } from './atlas';
import { loadSettings, saveSettings, type Settings } from './settings';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showError(message: string) {
  const e = $('error');
  e.textContent = message;
  e.hidden = false;
}

/** A link that opens in a new tab (the popup closes when it loses focus). */
function link(href: string, text: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  a.target = '_blank';
  a.rel = 'noopener';
  return a;
}

async function targetTab(): Promise<chrome.tabs.Tab | undefined> {
  const id = Number(new URLSearchParams(location.search).get('tab'));
  if (id) return chrome.tabs.get(id);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function showSavedAlready(api: ApiClient, s: Settings, url: string) {
  const found = await savedAs(api, url);
  if (found.length === 0) return;
  const list = $('saved-list');
  list.replaceChildren(
    ...found.map((d) => {
      const li = document.createElement('li');
      li.append(link(itemURL(s, d.item_id), d.title), ` in ${d.collection_name}`);
      return li;
    }),
  );
  $('saved-already').hidden = false;
}

async function loadTags(api: ApiClient, collectionId: string) {
  let names: string[] = [];
  try {
    names = await tagNames(api, collectionId);
  } catch {
    // Completion is a convenience: without it the field still works.
  }
  const input = $<HTMLInputElement>('tags');
  const fill = () => {
    // Complete the tag being typed: each option is the text so far plus a name.
    const before = input.value.includes(',') ? input.value.slice(0, input.value.lastIndexOf(',') + 1) + ' ' : '';
    const typed = splitTags(input.value);
    $('tag-options').replaceChildren(
      ...names
        .filter((n) => !typed.slice(0, -1).includes(n))
        .map((n) => {
          const o = document.createElement('option');
          o.value = before + n;
          return o;
        }),
    );
  };
  input.oninput = fill;
  fill();
}

async function main() {
  const s = await loadSettings();
  if (!s.server || !s.token) {
    $('setup').hidden = false;
    $('open-options').onclick = () => void chrome.runtime.openOptionsPage();
    return;
  }
  const api = client(s);
  const tab = await targetTab();
  const url = tab?.url ?? '';
  $<HTMLInputElement>('title').value = tab?.title ?? '';
  $<HTMLInputElement>('url').value = url;
  if (tab?.id !== undefined) $<HTMLTextAreaElement>('quote').value = await tabSelection(tab.id);

  let collections;
  try {
    [collections] = await Promise.all([writableCollections(api, s.lastCollection), showSavedAlready(api, s, url)]);
  } catch (err) {
    showError(explain(err));
    return;
  }
  if (collections.length === 0) {
    showError('You cannot save anywhere yet: create a collection in Atlas, or ask to be made an editor of one.');
    return;
  }
  const select = $<HTMLSelectElement>('collection');
  select.replaceChildren(
    ...collections.map((c) => {
      const o = document.createElement('option');
      o.value = c.id;
      o.textContent = c.name;
      return o;
    }),
  );
  select.onchange = () => void loadTags(api, select.value);
  void loadTags(api, select.value);
  const form = $<HTMLFormElement>('save');
  form.hidden = false;
  form.onsubmit = async (e) => {
    e.preventDefault();
    $('error').hidden = true;
    const button = $<HTMLButtonElement>('save-button');
    button.disabled = true;
    try {
      const res = await save(api, {
        collectionId: select.value,
        url: $<HTMLInputElement>('url').value.trim(),
        title: $<HTMLInputElement>('title').value.trim(),
        tags: splitTags($<HTMLInputElement>('tags').value),
        note: $<HTMLTextAreaElement>('note').value,
        quote: $<HTMLTextAreaElement>('quote').value,
        keepCopy: $<HTMLInputElement>('keep-copy').checked,
        ...(tab?.id !== undefined ? { tabId: tab.id } : {}),
      });
      await saveSettings({ lastCollection: select.value });
      const name = select.selectedOptions[0]?.textContent ?? '';
      const out = $('result');
      const p = document.createElement('p');
      p.append(`Saved to ${name}. `, link(itemURL(s, res.item.id), 'Open in Atlas'));
      const copy = document.createElement('p');
      copy.textContent =
        res.copy === 'kept'
          ? 'A copy of the page as you see it is kept.'
          : res.copy === 'skipped'
            ? 'Atlas keeps its own copy of the page.'
            : `The copy of the page was not kept: ${res.copy.failed}`;
      if (typeof res.copy === 'object') copy.className = 'error';
      out.replaceChildren(p, copy);
      out.hidden = false;
      form.hidden = true;
    } catch (err) {
      showError(explain(err));
      button.disabled = false;
    }
  };
}

void main().catch((err: unknown) => showError(explain(err)));
