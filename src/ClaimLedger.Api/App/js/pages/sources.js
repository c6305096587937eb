// Sources: every registered document, searchable, newest pages on demand.
import { h, link, when, notice } from '../dom.js';
import { get, itemsOf, q } from '../api.js';
import { fold } from './figures.js';

export async function render(main, { params, stale }) {
  const text = h('input', { id: 'source-q', type: 'search', value: params.get('q') ?? '', autocomplete: 'off' });
  const body = h('tbody');
  const status = h('p', { class: 'help', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more sources');
  let next = null, shown = [];

  async function load(reset) {
    if (reset) { body.replaceChildren(); next = null; shown = []; }
    const data = await get(`/api/sources${q({ q: text.value, after: next, limit: 50 })}`);
    if (stale()) return;
    // A server that does not page answers every source at once: the search then runs here.
    const words = fold(text.value).split(/\s+/).filter(Boolean);
    const items = itemsOf(data).filter(s => Array.isArray(data) ? words.every(w => fold(`${s.title} ${s.outlet}`).includes(w)) : true);
    shown.push(...items);
    body.append(...items.map(s => h('tr', {},
      h('th', { scope: 'row' }, link(`/sources/${s.id}`, s.title)), h('td', {}, s.outlet), h('td', {}, s.language),
      h('td', {}, when(s.publishedAt).slice(0, 10)), h('td', {}, s.hasText === false ? 'no' : 'yes'))));
    next = Array.isArray(data) ? null : data.next;
    more.hidden = !next;
    status.textContent = `${shown.length} sources shown`;
  }
  more.addEventListener('click', () => load(false).catch(e => status.replaceChildren(notice(e.message))));

  main.append(h('h1', {}, 'Sources'),
    h('p', { class: 'lede' }, 'Articles, reports and press releases that claims come from, with their archived text.'),
    h('form', { class: 'filters', role: 'search', onsubmit: e => { e.preventDefault(); history.replaceState(null, '', '#/sources' + q({ q: text.value })); load(true); } },
      h('div', { class: 'field grow' }, h('label', { for: 'source-q' }, 'Search titles and outlets'), text), h('button', { type: 'submit' }, 'Search')),
    status,
    h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'visually-hidden' }, 'Sources'),
      h('thead', {}, h('tr', {}, ['Title', 'Outlet', 'Language', 'Published', 'Text archived'].map(c => h('th', { scope: 'col' }, c)))), body)),
    more);
  await load(true);
}
