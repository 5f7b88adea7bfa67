// The part of the WebExtension API (Chromium's chrome.*, which Firefox also
// provides) that the extension uses, typed by hand so the build needs no
// extra package.
declare namespace chrome {
  namespace runtime {
    function openOptionsPage(): Promise<void>;
    const onInstalled: { addListener(cb: () => void): void };
  }
  namespace storage {
    interface Area {
      get(keys: string[]): Promise<Record<string, unknown>>;
      set(items: Record<string, unknown>): Promise<void>;
      remove(keys: string[]): Promise<void>;
    }
    const local: Area;
  }
  namespace tabs {
    interface Tab {
      id?: number;
      url?: string;
      title?: string;
    }
    function query(q: { active?: boolean; currentWindow?: boolean; lastFocusedWindow?: boolean; url?: string }): Promise<Tab[]>;
    function get(id: number): Promise<Tab>;
  }
  namespace scripting {
    interface InjectionResult<T> {
      result?: T;
    }
    function executeScript<A extends unknown[], T>(p: {
      target: { tabId: number };
      func: (...args: A) => T;
      args?: A;
    }): Promise<InjectionResult<Awaited<T>>[]>;
  }
  namespace contextMenus {
    interface OnClickData {
      menuItemId: string | number;
      linkUrl?: string;
      selectionText?: string;
      pageUrl?: string;
    }
    function create(p: { id: string; title: string; contexts: string[] }): void;
    function removeAll(): Promise<void>;
    const onClicked: { addListener(cb: (info: OnClickData, tab?: tabs.Tab) => void): void };
  }
  namespace action {
    function setBadgeText(p: { text: string; tabId?: number }): Promise<void>;
    function setBadgeBackgroundColor(p: { color: string; tabId?: number }): Promise<void>;
    function setTitle(p: { title: string; tabId?: number }): Promise<void>;
  }
}
