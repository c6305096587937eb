// A figure: its current picture (or as of an instant), the timeline over recorded time, the valid-time view, the
// revision list, and the CSV export.
import { h, link, value, valueWords, when, period, badge, notice, section, download, statusWords, num } from '../dom.js';
import { api, get, q } from '../api.js';
import { timeline, validTime, MARKS } from '../chart.js';

const PAGE = 50;

export async function render(main, { id, params, stale }) {
  const asOf = params.get('asOf');
  const [picture, revisions] = await Promise.all([get(`/api/figures/${id}${q({ asOf })}`), allRevisions(id)]);
  if (stale()) return;
  const shown = asOf ? revisions.filter(r => Date.parse(r.recordedAt) <= Date.parse(asOf)) : revisions;
  const sources = await sourceTitles(picture.current.map(e => e.sourceId));
  if (stale()) return;

  main.append(
    h('p', { class: 'crumbs' }, link('/figures', 'Figures'), ' › '),
    h('h1', {}, picture.title),
    h('p', { class: 'lede' }, [picture.metric, picture.unit, picture.place, picture.topic].filter(Boolean).join(' · ')),
    asOfControl(id, asOf, revisions),
    section(asOf ? `The picture as of ${when(asOf)}` : 'The current picture',
      picture.range ? h('p', {}, 'Range across originators: ', h('strong', {}, picture.range.low === picture.range.high ? num(picture.range.low) : `${num(picture.range.low)}–${num(picture.range.high)}`), ` ${picture.unit}`) : null,
      h('p', { class: 'help' }, `${picture.revisionCount} changes; last ${when(picture.lastChangedAt)}.`),
      pictureTable(picture, sources)),
    shown.length ? chartSection(picture, shown, asOf) : null,
    validSection(picture),
    revisionSection(id, picture),
    section('Export', h('button', { type: 'button', onclick: async () => {
      const res = await api(`/api/figures/${id}/revisions.csv`, { raw: true });
      download(`figure-${id}-revisions.csv`, await res.blob());
    } }, 'Download every revision (CSV)')));
}

async function allRevisions(id) {
  const all = [];
  let after = null;
  // Enough for a chart; the list below pages through everything.
  for (let i = 0; i < 10; i++) {
    const page = await get(`/api/figures/${id}/revisions${q({ after, limit: 500 })}`);
    all.push(...page.items);
    if (!page.next) break;
    after = page.next;
  }
  return all;
}

export async function sourceTitles(ids) {
  const titles = new Map();
  await Promise.all([...new Set(ids)].map(async sid => {
    try { titles.set(sid, (await get(`/api/sources/${sid}`)).title); } catch { titles.set(sid, sid); }
  }));
  return titles;
}

function asOfControl(id, asOf, revisions) {
  const input = h('input', { id: 'as-of', type: 'datetime-local', step: 1, value: asOf ? new Date(asOf).toISOString().slice(0, 19) : '' });
  const pick = h('select', { id: 'as-of-revision' }, h('option', { value: '' }, 'choose a revision…'),
    revisions.map(r => h('option', { value: r.recordedAt, selected: r.recordedAt === asOf }, `#${r.revision} · ${when(r.recordedAt)} · ${r.attributedTo} · ${statusWords(r.change)}`)));
  const go = t => { location.hash = `#/figures/${id}` + q({ asOf: t }); };
  return h('form', { class: 'filters as-of', 'aria-label': 'Replay the picture', onsubmit: e => {
    e.preventDefault();
    if (pick.value) return go(pick.value);
    if (input.value) go(new Date(input.value + 'Z').toISOString());
  } },
  h('div', { class: 'field' }, h('label', { for: 'as-of' }, 'As of (UTC)'), input),
  h('div', { class: 'field' }, h('label', { for: 'as-of-revision' }, 'or just after revision'), pick),
  h('button', { type: 'submit' }, 'Replay'),
  asOf ? h('a', { href: `#/figures/${id}`, class: 'button secondary' }, 'Back to now') : null);
}

function pictureTable(picture, sources) {
  if (picture.current.length === 0) return notice('No standing claim on this figure at this time.', 'info');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'picture' },
    h('caption', { class: 'visually-hidden' }, 'One row per originator: its latest standing claim'),
    h('thead', {}, h('tr', {}, ['Originator', 'Value', 'Status', 'Source', 'Valid period', 'Recorded', 'Claim'].map(c => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, picture.current.map(e => h('tr', {},
      h('th', { scope: 'row' }, e.attributedTo),
      h('td', { class: 'num value', title: valueWords(e.value) }, value(e.value)),
      h('td', {}, badge(e.status)),
      h('td', {}, link(`/sources/${e.sourceId}`, sources.get(e.sourceId) ?? 'source')),
      h('td', {}, period(e.validFrom, e.validTo)),
      h('td', {}, when(e.recordedAt)),
      h('td', {}, link(`/claims/${e.claimId}`, 'open')))))));
}

function chartSection(picture, revisions, asOf) {
  const { svg, series } = timeline(revisions, { title: picture.title, unit: picture.unit, until: asOf });
  const legend = h('ul', { class: 'legend' },
    series.map(s => h('li', {}, h('span', { class: 'swatch', 'data-colour': s.colour, 'aria-hidden': 'true' }), s.name)),
    h('li', {}, '↑ at least / more than'), h('li', {}, '○ about'), h('li', {}, '▮ band: low–high'),
    Object.entries(MARKS).map(([k, m]) => h('li', {}, `${m} ${k}`)), h('li', {}, '┈ no longer standing'));
  const rows = revisions.map(r => h('tr', {},
    h('td', { class: 'num' }, `#${r.revision}`), h('td', {}, when(r.recordedAt)), h('th', { scope: 'row' }, r.attributedTo),
    h('td', {}, statusWords(r.change)), h('td', { class: 'num' }, r.previousValue ? `${value(r.previousValue)} → ${value(r.value)}` : value(r.value)),
    h('td', {}, badge(r.status))));
  const fig = h('figure', { class: 'chart-box' }, svg, h('figcaption', {}, legend));
  colourSwatches(fig, series);
  return section('Timeline over recorded time', fig,
    h('details', { class: 'chart-data' }, h('summary', {}, 'The chart’s data as a table'),
      h('div', { class: 'table-wrap' }, h('table', {}, h('caption', {}, 'Every point of the timeline'),
        h('thead', {}, h('tr', {}, ['Revision', 'Recorded', 'Originator', 'Change', 'Value', 'Status'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows)))));
}

/** Swatches take their colour through the CSSOM (allowed by the CSP, unlike a style attribute). */
function colourSwatches(root, series) {
  root.querySelectorAll('.swatch').forEach(el => { el.style.background = el.dataset.colour; });
}

function validSection(picture) {
  const svg = validTime(picture.current, { title: picture.title });
  if (!svg) return null;
  return section('Valid time: the periods the claims speak about',
    h('figure', { class: 'chart-box' }, svg, h('figcaption', { class: 'help' }, 'A bar ending in an arrow is open-ended. The picture table above lists the same periods.')));
}

function revisionSection(id, picture) {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary' }, 'Show more changes');
  const status = h('p', { class: 'help', 'aria-live': 'polite' });
  let after = null;
  async function load() {
    more.disabled = true;
    try {
      const page = await get(`/api/figures/${id}/revisions${q({ after, limit: PAGE })}`);
      body.append(...page.items.map(r => h('tr', {},
        h('td', { class: 'num' }, `#${r.revision}`), h('td', {}, when(r.recordedAt)), h('td', {}, r.actor),
        h('td', {}, statusWords(r.change)), h('td', {}, r.attributedTo),
        h('td', { class: 'num' }, r.previousValue ? `${value(r.previousValue)} → ${value(r.value)}` : value(r.value)),
        h('td', {}, badge(r.status)), h('td', { class: 'reason' }, r.reason ?? ''),
        h('td', {}, link(`/claims/${r.claimId}`, 'claim')))));
      after = page.next;
      more.hidden = !after;
      status.textContent = `${body.children.length} of ${picture.revisionCount} changes shown`;
    } catch (e) { status.replaceChildren(notice(e.message)); }
    more.disabled = false;
  }
  more.addEventListener('click', load);
  load();
  return section('Every change', h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'visually-hidden' }, 'Revisions, oldest first'),
    h('thead', {}, h('tr', {}, ['Revision', 'Recorded', 'Actor', 'Change', 'Originator', 'Value', 'Status', 'Reason', 'Claim'].map(c => h('th', { scope: 'col' }, c)))),
    body)), status, more);
}
