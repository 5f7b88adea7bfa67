// The options page: the Atlas server and the token, checked against the
// server before they are kept.
import { unwrap } from '../../web/src/api/client';
import { client, explain } from './atlas';
import { forgetToken, loadSettings, normaliseServer, saveSettings } from './settings';

const server = document.getElementById('server') as HTMLInputElement;
const token = document.getElementById('token') as HTMLInputElement;
const status = document.getElementById('status') as HTMLElement;

function say(text: string, error = false) {
  status.textContent = text;
  status.className = error ? 'error' : '';
}

async function init() {
  const s = await loadSettings();
  server.value = s.server;
  if (s.token) say('A token is saved. Enter a new one to replace it.');
}

(document.getElementById('options') as HTMLFormElement).onsubmit = async (e) => {
  e.preventDefault();
  const base = normaliseServer(server.value);
  if (!base) {
    say('The server must be an http:// or https:// address, e.g. https://atlas.example.com.', true);
    return;
  }
  const s = { server: base, token: token.value.trim(), lastCollection: '' };
  say('Checking…');
  try {
    const me = await unwrap(client(s).GET('/api/v1/auth/me'));
    await saveSettings({ server: s.server, token: s.token });
    token.value = '';
    say(`Signed in as ${me.display_name} (${me.email}).`);
  } catch (err) {
    say(explain(err), true);
  }
};

(document.getElementById('sign-out') as HTMLButtonElement).onclick = async () => {
  await forgetToken();
  say('Signed out: the token is no longer kept here (revoke it on your account page too).');
};

void init();
