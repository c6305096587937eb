// Claims: find claims by status, originator, figure, source or words of their quote; most recently changed first.
import { h, link, value, when, badge, notice, STATUSES, statusWords, shortId } from '../dom.js';
import { get, q } from '../api.js';

export async function render(main, { params, stale }) {
  const filters = Object.fromEntries(['q', 'status', 'attributedTo', 'submittedBy', 'figureId', 'sourceId'].map(k => [k, params.get(k) ?? '']));
  const field = (k, label, el) => h('div', { class: 'field' }, h('label', { for: `claims-${k}` }, label), el);
  const text = k => h('input', { id: `claims-${k}`, name: k, value: filters[k], autocomplete: 'off' });
  const body = h('tbody');
  const status = h('p', { class: 'help', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more claims');
  let next = null;

  async function load() {
    try {
      const page = await get(`/api/claims${q({ ...filters, after: next, limit: 50 })}`);
      if (stale()) return;
      body.append(...page.items.map(c => h('tr', {},
        h('td', {}, link(`/claims/${c.id}`, shortId(c.id))), h('td', {}, c.attributedTo), h('td', { class: 'note' }, c.quote),
        h('td', { class: 'num' }, value(c.value)), h('td', {}, badge(c.status)), h('td', {}, c.submittedBy), h('td', {}, when(c.lastChangedAt)))));
      next = page.next;
      more.hidden = !next;
      status.textContent = `${body.children.length} claims shown`;
    } catch (e) { status.replaceChildren(notice(e.message)); }
  }
  more.addEventListener('click', load);

  main.append(h('h1', {}, 'Claims'),
    h('form', { class: 'filters', role: 'search', onsubmit: e => {
      e.preventDefault();
      const v = Object.fromEntries(new FormData(e.target).entries());
      location.hash = '#/claims' + q({ ...filters, ...v });
    } },
    field('q', 'Words of the quote or originator', h('input', { id: 'claims-q', name: 'q', type: 'search', value: filters.q, autocomplete: 'off' })),
    field('status', 'Status', h('select', { id: 'claims-status', name: 'status' }, h('option', { value: '' }, 'any'),
      STATUSES.map(s => h('option', { value: s, selected: s === filters.status }, statusWords(s))))),
    field('attributedTo', 'Originator', text('attributedTo')),
    field('submittedBy', 'Submitted by', text('submittedBy')),
    h('button', { type: 'submit' }, 'Find')),
    status,
    h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'visually-hidden' }, 'Claims, most recently changed first'),
      h('thead', {}, h('tr', {}, ['Claim', 'Originator', 'Quote', 'Value', 'Status', 'Submitted by', 'Last change'].map(c => h('th', { scope: 'col' }, c)))), body)),
    more);
  await load();
}
