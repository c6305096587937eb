// Charts drawn as SVG by hand: one chart type (step lines with bound marks), each point an element with its own title,
// so that a screen reader, a test and a tooltip reach it. A table beside each chart holds the same data.
import { h, value, valueWords, when, day, statusWords } from './dom.js';

const W = 720, H = 300, M = { top: 24, right: 24, bottom: 40, left: 64 };
// Okabe–Ito: told apart by people with the common colour-vision deficiencies; each series also has its own dash.
export const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4'];
export const MARKS = { disputed: '?', refuted: '✗', retracted: '⊘', superseded: '□', verified: '✓' };

const key = s => String(s ?? '').trim().toLowerCase();
const hi = v => (v ? Number(v.high ?? v.amount) : NaN);
const lo = v => (v ? Number(v.low ?? v.amount) : NaN);

/** The mark a revision gets: what happened to the claim, in one symbol. */
export function markOf(r) {
  if (r.change === 'superseded') return 'superseded';
  if (r.change === 'retracted' || r.status === 'retracted') return r.change === 'retracted' ? 'retracted' : null;
  if (r.status === 'refuted' && r.change === 'dispute_resolved') return 'refuted';
  if (r.change === 'disputed') return 'disputed';
  if (r.change === 'verdict' && r.status === 'verified') return 'verified';
  return null;
}

/** Series per originator, in the order they first appear. */
export function seriesOf(revisions) {
  const series = new Map();
  for (const r of revisions) {
    const k = key(r.attributedTo);
    if (!series.has(k)) series.set(k, { name: r.attributedTo, points: [], colour: COLOURS[series.size % COLOURS.length], dash: DASHES[series.size % DASHES.length] });
    const s = series.get(k);
    const v = r.value ?? s.points.at(-1)?.value ?? null;
    s.points.push({ r, value: v, standing: !['retracted', 'refuted', 'false'].includes(r.status) && r.change !== 'superseded' });
  }
  return [...series.values()];
}

/** The timeline over recorded time: one step line per originator. */
export function timeline(revisions, { title, unit, until }) {
  const series = seriesOf(revisions);
  const times = revisions.map(r => Date.parse(r.recordedAt));
  const end = Math.max(...times, until ? Date.parse(until) : -Infinity);
  // Changes recorded within a minute (a seeded ledger, a burst of work) would sit on one pixel: they are then spaced in
  // the order the ledger recorded them, and the axis says so.
  const byOrder = end - Math.min(...times) < 60_000;
  const xs = byOrder ? revisions.map((_, i) => i) : times;
  const x0 = Math.min(...xs), x1 = Math.max(...xs, byOrder ? xs.length : end) || x0 + 1;
  const values = series.flatMap(s => s.points.flatMap(p => [hi(p.value), lo(p.value)])).filter(Number.isFinite);
  const yMax = niceMax(Math.max(1, ...values) * 1.15);
  const X = v => M.left + ((v - x0) / Math.max(1, x1 - x0)) * (W - M.left - M.right);
  const Y = v => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
  const xOf = r => X(byOrder ? revisions.indexOf(r) : Date.parse(r.recordedAt));
  const right = W - M.right;

  const titleId = `chart-${Math.random().toString(36).slice(2)}`;
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': titleId, class: 'chart' },
    h('svg:title', { id: titleId }, `${title}: one step line per originator over recorded time; the table below holds the same points`));
  svg.append(axes(yMax, Y, unit, byOrder ? 'recorded, in the order of the ledger' : `recorded (UTC), ${day(new Date(x0).toISOString())} → ${day(new Date(x1).toISOString())}`));

  for (const s of series) {
    const g = h('svg:g', { class: 'series', stroke: s.colour, fill: s.colour });
    s.points.forEach((p, i) => {
      const xa = xOf(p.r), xb = i + 1 < s.points.length ? xOf(s.points[i + 1].r) : right;
      if (!p.value) return;
      if (p.value.low != null && p.value.high != null && p.value.low !== p.value.high)
        g.append(h('svg:rect', { x: xa, y: Y(p.value.high), width: Math.max(2, xb - xa), height: Math.max(1, Y(p.value.low) - Y(p.value.high)), class: 'band', stroke: 'none' }));
      const y = Y(Number(p.value.amount));
      const next = s.points[i + 1]?.value;
      g.append(h('svg:path', { d: `M${xa},${y}H${xb}` + (next && i + 1 < s.points.length ? `V${Y(Number(next.amount))}` : ''),
        fill: 'none', 'stroke-width': 2.5, 'stroke-dasharray': p.standing ? s.dash || null : '2 4', class: p.standing ? 'line' : 'line gone' }));
    });
    s.points.forEach(p => { if (p.value) g.append(point(p, xOf(p.r), Y(Number(p.value.amount)), s)); });
    svg.append(g);
  }
  return { svg, series };
}

function point(p, x, y, s) {
  const { r, value: v } = p;
  const g = h('svg:g', { class: 'point', 'data-revision': r.revision, 'data-originator': s.name });
  g.append(h('svg:title', {}, `${s.name}: ${valueWords(v)} (${value(v)}) — ${statusWords(r.change)}, ${statusWords(r.status)}, ${when(r.recordedAt)}`));
  g.append(h('svg:circle', { cx: x, cy: y, r: 4.5, fill: v.bound === 'approximately' ? '#fff' : s.colour, 'stroke-width': 2 }));
  if (v.bound === 'at_least' || v.bound === 'more_than')
    g.append(h('svg:path', { d: `M${x},${y - 5}V${y - 18}M${x - 5},${y - 12}L${x},${y - 18}L${x + 5},${y - 12}`, fill: 'none', 'stroke-width': 2 }));
  if (v.bound === 'at_most' || v.bound === 'less_than')
    g.append(h('svg:path', { d: `M${x},${y + 5}V${y + 18}M${x - 5},${y + 12}L${x},${y + 18}L${x + 5},${y + 12}`, fill: 'none', 'stroke-width': 2 }));
  const mark = markOf(r);
  if (mark) g.append(h('svg:text', { x: x + 7, y: y - 7, class: `mark m-${mark}`, stroke: 'none', 'aria-hidden': 'true' }, MARKS[mark]));
  return g;
}

function axes(yMax, Y, unit, xLabel) {
  const g = h('svg:g', { class: 'axes', 'aria-hidden': 'true' });
  for (let i = 0; i <= 4; i++) {
    const v = (yMax / 4) * i, y = Y(v);
    g.append(h('svg:line', { x1: M.left, x2: W - M.right, y1: y, y2: y, class: 'grid' }));
    g.append(h('svg:text', { x: M.left - 8, y: y + 4, 'text-anchor': 'end' }, fmtTick(v)));
  }
  g.append(h('svg:text', { x: M.left, y: M.top - 8, 'text-anchor': 'start' }, unit ?? ''));
  g.append(h('svg:text', { x: W - M.right, y: H - 8, 'text-anchor': 'end' }, xLabel));
  return g;
}

const fmtTick = v => (v >= 10_000 ? `${Math.round(v / 1000)}k` : String(Math.round(v * 10) / 10));
function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map(m => m * p).find(m => m >= v) ?? v;
}

/** The valid-time view: the period each originator's current claim speaks about, as a bar. */
export function validTime(entries, { title }) {
  const dated = entries.filter(e => e.validFrom || e.validTo);
  if (dated.length === 0) return null;
  const starts = dated.map(e => Date.parse(e.validFrom ?? e.validTo));
  const known = dated.flatMap(e => [e.validFrom, e.validTo]).filter(Boolean).map(Date.parse);
  // An open-ended period runs past the last day any claim names, with an arrow: not to today, which may be years on.
  const t0 = Math.min(...starts), t1 = Math.max(...known) + 3 * 86_400_000;
  const endOf = e => (e.validTo ? Date.parse(e.validTo) : t1);
  const rowH = 34, height = M.top + dated.length * rowH + 30;
  const X = t => 200 + ((t - t0) / (t1 - t0)) * (W - 200 - M.right);
  const titleId = `chart-${Math.random().toString(36).slice(2)}`;
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-labelledby': titleId, class: 'chart' },
    h('svg:title', { id: titleId }, `${title}: the period of the world each current claim speaks about; the picture table lists the same periods`));
  dated.forEach((e, i) => {
    const y = M.top + i * rowH;
    const a = X(Date.parse(e.validFrom ?? e.validTo)), b = X(endOf(e)) - (e.validTo ? 0 : 10);
    const g = h('svg:g', { class: 'period', fill: COLOURS[i % COLOURS.length] },
      h('svg:title', {}, `${e.attributedTo}: ${valueWords(e.value)}, ${e.validFrom ? 'from ' + day(e.validFrom) : ''}${e.validTo ? ' to ' + day(e.validTo) : ' onwards'}`),
      h('svg:text', { x: 190, y: y + 16, 'text-anchor': 'end', fill: '#222' }, truncate(e.attributedTo, 26)),
      h('svg:rect', { x: a, y: y + 4, width: Math.max(4, b - a), height: 16, rx: 3, opacity: e.validTo ? 0.85 : 0.55 }),
      h('svg:text', { x: a + 6, y: y + 16, fill: '#fff', class: 'bar-label' }, value(e.value)));
    if (!e.validTo) g.append(h('svg:path', { d: `M${b},${y + 4}l10,8l-10,8z` }));
    svg.append(g);
  });
  svg.append(h('svg:text', { x: 200, y: height - 8, class: 'axes', 'aria-hidden': 'true' }, day(new Date(t0).toISOString())),
    h('svg:text', { x: W - M.right, y: height - 8, 'text-anchor': 'end', class: 'axes', 'aria-hidden': 'true' }, day(new Date(t1).toISOString())));
  return svg;
}

const truncate = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
