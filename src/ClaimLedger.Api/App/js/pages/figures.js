// Figures: a searchable list (metric, place, topic, free text) with each figure's current range and last change.
import { h, link, num, table, when, notice } from '../dom.js';
import { get, q } from '../api.js';

/** Case and accents ignored: "alep" finds "Alep", "deces" finds "décès". */
export const fold = s => String(s ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export async function render(main, { params, stale }) {
  const filters = { metric: params.get('metric') ?? '', place: params.get('place') ?? '', topic: params.get('topic') ?? '' };
  const all = await get('/api/figures');
  if (stale()) return;
  const figures = all.filter(f => ['metric', 'place', 'topic'].every(k => !filters[k] || f[k] === filters[k]));
  const choices = k => [...new Set(all.map(f => f[k]).filter(Boolean))].sort();

  const text = h('input', { id: 'figure-q', type: 'search', value: params.get('q') ?? '', autocomplete: 'off' });
  const select = (k, label) => h('div', { class: 'field' }, h('label', { for: `figure-${k}` }, label),
    h('select', { id: `figure-${k}`, name: k, onchange: apply },
      h('option', { value: '' }, 'any'), choices(k).map(c => h('option', { value: c, selected: c === filters[k] }, c))));
  const body = h('tbody');
  const count = h('p', { class: 'help', 'aria-live': 'polite' });

  function apply() {
    const next = { metric: main.querySelector('#figure-metric').value, place: main.querySelector('#figure-place').value,
      topic: main.querySelector('#figure-topic').value, q: text.value };
    history.replaceState(null, '', '#/figures' + q(next));
    const words = fold(text.value).split(/\s+/).filter(Boolean);
    const shown = all.filter(f => ['metric', 'place', 'topic'].every(k => !next[k] || f[k] === next[k]))
      .filter(f => words.every(w => fold(`${f.title} ${f.metric} ${f.place} ${f.topic}`).includes(w)));
    body.replaceChildren(...shown.map(row));
    count.textContent = `${shown.length} of ${all.length} figures`;
  }

  main.append(
    h('h1', {}, 'Figures'),
    h('p', { class: 'lede' }, 'The quantities the newsroom tracks, each with the range its originators give now.'),
    h('form', { class: 'filters', role: 'search', onsubmit: e => { e.preventDefault(); apply(); } },
      h('div', { class: 'field grow' }, h('label', { for: 'figure-q' }, 'Search'), text),
      select('metric', 'Metric'), select('place', 'Place'), select('topic', 'Topic')),
    count,
    h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Figures with their current range'),
      h('thead', {}, h('tr', {}, ['Figure', 'Metric', 'Place', 'Current range', 'Originators', 'Changes', 'Last change'].map(c => h('th', { scope: 'col' }, c)))),
      body)));
  text.addEventListener('input', apply);
  apply();
  if (figures.length === 0 && all.length === 0) main.append(notice('No figure is defined yet.', 'info'));
}

function row(f) {
  const range = f.range ? (f.range.low === f.range.high ? num(f.range.low) : `${num(f.range.low)}–${num(f.range.high)}`) : '—';
  return h('tr', {},
    h('th', { scope: 'row' }, link(`/figures/${f.id}`, f.title)),
    h('td', {}, f.metric), h('td', {}, f.place ?? '—'),
    h('td', { class: 'num' }, range, f.unit ? h('span', { class: 'unit' }, ` ${f.unit}`) : null),
    h('td', { class: 'num' }, String(f.originators)), h('td', { class: 'num' }, String(f.revisionCount)),
    h('td', {}, when(f.lastChangedAt)));
}

