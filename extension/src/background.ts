// The background worker: the context menu saves a link, a selection (as a
// quote) or the page to the collection used last, without opening the
// popup, and says on the toolbar button whether that worked.
import { client, explain, save, writableCollections } from './atlas';
import { loadSettings, saveSettings } from './settings';

const menus = [
  { id: 'save-page', title: 'Save page to Atlas', contexts: ['page'] },
  { id: 'save-link', title: 'Save link to Atlas', contexts: ['link'] },
  { id: 'save-selection', title: 'Save selection to Atlas', contexts: ['selection'] },
];

chrome.runtime.onInstalled.addListener(() => {
  void chrome.contextMenus.removeAll().then(() => menus.forEach((m) => chrome.contextMenus.create(m)));
});

async function tell(tabId: number | undefined, ok: boolean, title: string) {
  await chrome.action.setBadgeBackgroundColor({ color: ok ? '#15803d' : '#b91c1c', ...(tabId ? { tabId } : {}) });
  await chrome.action.setBadgeText({ text: ok ? '\u2713' : '!', ...(tabId ? { tabId } : {}) });
  await chrome.action.setTitle({ title, ...(tabId ? { tabId } : {}) });
}

chrome.contextMenus.onClicked.addListener((info, tab) => {
  void (async () => {
    const s = await loadSettings();
    if (!s.server || !s.token) {
      await tell(tab?.id, false, 'Atlas: sign in first (the extension\u2019s options)');
      await chrome.runtime.openOptionsPage();
      return;
    }
    try {
      const api = client(s);
      const [collection] = await writableCollections(api, s.lastCollection);
      if (!collection) throw new Error('You cannot save anywhere yet: create a collection in Atlas first.');
      const link = info.menuItemId === 'save-link';
      const url = link ? (info.linkUrl ?? '') : (tab?.url ?? info.pageUrl ?? '');
      const res = await save(api, {
        collectionId: collection.id,
        url,
        title: link ? url : (tab?.title ?? url),
        tags: [],
        note: '',
        quote: info.menuItemId === 'save-selection' ? (info.selectionText ?? '') : '',
        keepCopy: !link,
        ...(!link && tab?.id !== undefined ? { tabId: tab.id } : {}),
      });
      await saveSettings({ lastCollection: collection.id });
      await tell(tab?.id, true, `Atlas: saved \u201c${res.item.title}\u201d to ${collection.name}`);
    } catch (err) {
      await tell(tab?.id, false, `Atlas: not saved. ${explain(err)}`);
    }
  })();
});
