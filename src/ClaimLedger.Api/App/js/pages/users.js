// Users and keys (admins): list, add, issue, revoke, change role. A new key is shown once, with a copy button; the
// admin never sees it again.
import { h, when, notice, section, clear } from '../dom.js';
import { api, get, itemsOf } from '../api.js';

const ROLES = ['checker', 'reviewer', 'auditor', 'admin'];
// Read as the API names them; a field missing from the answer shows as a dash.
const created = x => x.createdAt ?? x.created ?? x.issuedAt;
const prefix = k => k.prefix ?? k.keyPrefix ?? k.first8 ?? '';
const revoked = k => k.revokedAt ?? (k.revoked === true ? 'yes' : k.revoked) ?? null;

export async function render(main, ctx) {
  const users = itemsOf(await get('/api/users'));
  if (ctx.stale()) return;
  const shown = h('div', { id: 'new-key', 'aria-live': 'polite' });
  const status = h('div', { 'aria-live': 'polite' });
  const again = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const act = async (what, f) => {
    clear(status);
    try { const r = await f(); if (what) status.append(notice(what, 'info')); return r; } catch (e) { status.append(notice(e.message)); return null; }
  };
  const showKey = (name, data) => {
    const key = data?.key ?? data?.apiKey;
    if (!key) return;
    const field = h('input', { id: 'issued-key', readonly: true, value: key, class: 'mono', size: 50 });
    const copied = h('span', { 'aria-live': 'polite' });
    clear(shown).append(h('div', { class: 'card key-once' },
      h('h2', {}, `New key for ${name}`),
      h('p', {}, 'Shown once: copy it now and hand it over in a safe way. It cannot be shown again.'),
      h('label', { for: 'issued-key' }, 'API key'), field,
      h('button', { type: 'button', onclick: async () => {
        try { await navigator.clipboard.writeText(key); copied.textContent = ' Copied.'; }
        catch { field.select(); copied.textContent = ' Selected: press Ctrl+C to copy.'; }
      } }, 'Copy'), copied,
      h('button', { type: 'button', class: 'secondary', onclick: again }, 'Done')));
    field.focus();
    field.select();
  };

  const nameIn = h('input', { id: 'new-user', name: 'name', required: true, autocomplete: 'off' });
  const roleIn = h('select', { id: 'new-user-role', name: 'role' }, ROLES.map(r => h('option', { value: r }, r)));
  main.append(h('h1', {}, 'Users and keys'),
    h('p', { class: 'lede' }, 'Each user’s name is the actor on every event it records. Keys are stored only as hashes; a revoked key is refused everywhere within a second.'),
    shown, status,
    section('Add a user', h('form', { class: 'filters', onsubmit: async e => {
      e.preventDefault();
      const data = await act(null, async () => (await api('/api/users', { method: 'POST', body: { name: nameIn.value, role: roleIn.value } })).data);
      if (data) showKey(nameIn.value, data);
    } }, h('div', { class: 'field' }, h('label', { for: 'new-user' }, 'Name'), nameIn),
      h('div', { class: 'field' }, h('label', { for: 'new-user-role' }, 'Role'), roleIn), h('button', { type: 'submit' }, 'Add the user and issue a key'))),
    section('Users', h('div', { class: 'table-wrap' }, h('table', { id: 'users' }, h('caption', { class: 'visually-hidden' }, 'Users with their keys'),
      h('thead', {}, h('tr', {}, ['User', 'Role', 'Created', 'Keys', 'Actions'].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, users.map(u => userRow(u, act, showKey, again)))))));
}

function userRow(u, act, showKey, again) {
  const name = u.name ?? u.id;
  const role = h('select', { 'aria-label': `Role of ${name}` }, ROLES.map(r => h('option', { value: r, selected: r === u.role }, r)));
  const keys = u.keys ?? [];
  return h('tr', { 'data-user': name },
    h('th', { scope: 'row' }, name), h('td', {}, u.role), h('td', {}, when(created(u))),
    h('td', {}, keys.length === 0 ? 'none' : h('ul', { class: 'keys' }, keys.map(k => h('li', { 'data-key': k.keyId },
      h('code', {}, `${prefix(k)}…`), ` issued ${when(created(k))}`, k.lastUsedAt || k.lastUsed ? `, last used ${when(k.lastUsedAt ?? k.lastUsed)}` : ', never used',
      revoked(k) ? h('strong', { class: 'bad' }, ` — revoked ${typeof revoked(k) === 'string' && revoked(k) !== 'yes' ? when(revoked(k)) : ''}`)
        : h('button', { type: 'button', class: 'small danger', 'aria-label': `Revoke key ${prefix(k)} of ${name}`, onclick: async () => {
          if (await act(`Key ${prefix(k)}… of ${name} revoked.`, () => api(`/api/users/${encodeURIComponent(name)}/keys/${encodeURIComponent(k.keyId)}`, { method: 'DELETE' })) !== null) setTimeout(again, 800);
        } }, 'Revoke'))))),
    h('td', {}, h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'small', onclick: async () => {
        const data = await act(null, async () => (await api(`/api/users/${encodeURIComponent(name)}/keys`, { method: 'POST', body: {} })).data);
        if (data) showKey(name, data);
      }, 'aria-label': `Issue a key for ${name}` }, 'Issue a key'),
      role,
      h('button', { type: 'button', class: 'small secondary', onclick: async () => {
        if (await act(`${name} is now ${role.value}.`, () => api(`/api/users/${encodeURIComponent(name)}/role`, { method: 'POST', body: { role: role.value } })) !== null) setTimeout(again, 800);
      } }, 'Change role'))));
}
