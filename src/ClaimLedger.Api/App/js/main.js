// The app's frame: sign-in, the navigation a role is offered, and the router (#/path?query).
import { h, clear, notice } from './dom.js';
import { api, session } from './api.js';
import * as figures from './pages/figures.js';
import * as figure from './pages/figure.js';
import * as claim from './pages/claim.js';
import * as claims from './pages/claims.js';
import * as sources from './pages/sources.js';
import * as source from './pages/source.js';
import * as reviews from './pages/reviews.js';
import * as audit from './pages/audit.js';
import * as users from './pages/users.js';

const READERS = ['checker', 'reviewer', 'auditor'];

/** Routes: a pattern, the roles that may open it, the page. Admins manage users and read nothing else. */
const ROUTES = [
  [/^\/$/, READERS, figures], [/^\/figures$/, READERS, figures],
  [/^\/figures\/([0-9a-f-]{36})$/i, READERS, figure],
  [/^\/claims$/, READERS, claims],
  [/^\/claims\/([0-9a-f-]{36})$/i, READERS, claim],
  [/^\/sources$/, READERS, sources],
  [/^\/sources\/([0-9a-f-]{36})$/i, READERS, source],
  [/^\/reviews$/, ['reviewer'], reviews],
  [/^\/audit$/, ['auditor'], audit],
  [/^\/users$/, ['admin'], users],
];

const TITLES = new Map([[figures, 'Figures'], [figure, 'A figure'], [claims, 'Claims'], [claim, 'A claim'], [sources, 'Sources'],
  [source, 'A source'], [reviews, 'Review queue'], [audit, 'Audit'], [users, 'Users and keys']]);

const NAV = [
  ['/figures', 'Figures', READERS], ['/claims', 'Claims', READERS], ['/sources', 'Sources', READERS],
  ['/reviews', 'Review queue', ['reviewer']], ['/audit', 'Audit', ['auditor']], ['/users', 'Users and keys', ['admin']],
];

const main = document.getElementById('main');
let signedOutMessage = null;
let rendering = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query] = raw.split('?');
  return { path: path || '/', params: new URLSearchParams(query ?? '') };
}

function frame(me) {
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  if (!me) return;
  const current = parseHash().path;
  nav.append(h('ul', {}, NAV.filter(([, , roles]) => roles.includes(me.role)).map(([route, label]) =>
    h('li', {}, h('a', { href: '#' + route, 'aria-current': current.startsWith(route) ? 'page' : null }, label)))));
  who.append(h('span', {}, 'Signed in as ', h('strong', {}, me.name), ` (${me.role})`),
    h('button', { type: 'button', class: 'link-button', onclick: () => session.signOut('You signed out.') }, 'Sign out'));
}

async function render() {
  const ticket = ++rendering;
  const me = session.me();
  frame(me);
  clear(main);
  delete main.dataset.rendered;
  if (!me || !session.key()) return signInPage();
  const { path, params } = parseHash();
  const found = ROUTES.map(([re, roles, page]) => [path.match(re), roles, page]).find(([m]) => m);
  if (!found) return shown(path, h('h1', {}, 'Not found'), notice(`There is no page at ${path}.`));
  const [match, roles, page] = found;
  if (!roles.includes(me.role)) {
    // What a role may not do is not offered; a typed address says so instead of failing.
    const home = me.role === 'admin' ? '#/users' : '#/figures';
    return shown(path, h('h1', {}, 'Not for your role'),
      notice(`The role '${me.role}' may not open this page.`), h('p', {}, h('a', { href: home }, 'Go to your start page')));
  }
  const loading = h('p', { class: 'help loading' }, 'Loading…');
  main.append(loading);
  main.setAttribute('aria-busy', 'true');
  try {
    await page.render(main, { id: match[1], params, me, stale: () => ticket !== rendering });
  } catch (e) {
    if (ticket !== rendering) return;
    // The page could not load what it shows: it still says where the user is, and why, in words.
    if (!main.querySelector('h1')) main.prepend(h('h1', {}, TITLES.get(page) ?? 'ClaimLedger'));
    main.append(notice(e.message));
  }
  if (ticket !== rendering) return;
  loading.remove();
  main.removeAttribute('aria-busy');
  shown(path);
}

function shown(path, ...content) {
  main.append(...content);
  // Said for tests and tools that wait for a page: which route is on screen now.
  main.dataset.rendered = path;
  document.title = `${main.querySelector('h1')?.textContent ?? 'ClaimLedger'} · ClaimLedger`;
}

function signInPage() {
  document.title = 'Sign in · ClaimLedger';
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'key-help' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card narrow', onsubmit: async e => {
    e.preventDefault();
    clear(status);
    const key = input.value.trim();
    try {
      const { data: me } = await api('/api/me', { key });
      session.signIn(key, me);
      signedOutMessage = null;
      if (!location.hash || location.hash === '#/sign-in') location.hash = me.role === 'admin' ? '#/users' : '#/figures';
      else render();
    } catch (err) {
      status.append(notice(err.status === 401 ? 'This API key is not valid: it is unknown or was revoked.' : err.message));
    }
  } },
  h('h1', {}, 'Sign in'),
  signedOutMessage ? notice(signedOutMessage, signedOutMessage.startsWith('You signed out') ? 'info' : 'error') : null,
  h('label', { for: 'api-key' }, 'API key'),
  input,
  h('p', { id: 'key-help', class: 'help' }, 'The key your administrator issued (it starts with clk_). It is kept in this tab only, and forgotten when you sign out or close the tab.'),
  h('button', { type: 'submit' }, 'Sign in'),
  status);
  main.append(form);
  input.focus();
}

session.whenSignedOut(message => { signedOutMessage = message; render(); });
window.addEventListener('hashchange', () => { render(); main.focus({ preventScroll: true }); });
render();
