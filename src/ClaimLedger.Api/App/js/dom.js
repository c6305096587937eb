// Building the page. Text from the ledger (quotes, source texts, names, notes) only ever becomes text nodes or
// attribute values: nothing here parses HTML.
const SVG = 'http://www.w3.org/2000/svg';

/** h('p', {class: 'x', onclick: f}, 'text', child, [more]) — children that are not nodes become text. */
export function h(tag, props, ...children) {
  const el = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  // A table that scrolls sideways on a narrow screen is a region the keyboard can reach and scroll.
  if (props?.class === 'table-wrap') {
    el.tabIndex = 0;
    el.setAttribute('role', 'region');
    // Named apart from the section around it, whose heading often says the same: landmarks must differ.
    el.setAttribute('aria-label', `Table: ${el.querySelector('caption')?.textContent || 'rows'}`);
  }
  return el;
}

export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function clear(el) { el.replaceChildren(); return el; }

/** A link inside the app. */
export const link = (route, ...children) => h('a', { href: '#' + route }, ...children);

/** A URL given by a user becomes a link only when it is http(s); anything else stays text. */
export function safeLink(url, text) {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' || u.protocol === 'http:') return h('a', { href: u.href, rel: 'noopener noreferrer nofollow' }, text ?? url);
  } catch { /* not a URL: shown as text */ }
  return h('span', {}, text ?? url);
}

// ---- Numbers and values, written as people write them ----
const NNBSP = '\u202f', NBSP = '\u00a0';

/** 14000 → "14 000" (narrow no-break space between thousands, as in French and SI usage). */
export function num(n) {
  if (n == null) return '';
  const [int, frac] = String(n).split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.length > 4 ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP) : digits;
  return sign + grouped + (frac ? '.' + frac : '');
}

const BOUND = { exact: '', at_least: '≥', more_than: '>', at_most: '≤', less_than: '<', approximately: '≈' };
export const BOUND_WORDS = { exact: 'exactly', at_least: 'at least', more_than: 'more than', at_most: 'at most', less_than: 'less than', approximately: 'about' };

/** {amount: 242, bound: at_least} → "≥ 242"; {low: 200, high: 250} → "200–250". */
export function value(v) {
  if (!v) return '—';
  if (v.low != null && v.high != null && v.low !== v.high) return `${num(v.low)}–${num(v.high)}`;
  const sign = BOUND[v.bound] ?? '';
  return sign ? sign + NBSP + num(v.amount) : num(v.amount);
}

/** The same value in words, for screen readers and titles: "at least 242". */
export function valueWords(v) {
  if (!v) return 'no value';
  if (v.low != null && v.high != null && v.low !== v.high) return `between ${v.low} and ${v.high}`;
  return `${BOUND_WORDS[v.bound] ?? ''} ${v.amount}`.trim();
}

// ---- Times ----
/** "2024-11-29 10:00:03 UTC": recorded times, to the second. */
export function when(t) {
  if (!t) return '—';
  const d = new Date(t);
  return isNaN(d) ? String(t) : d.toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}
/** "2024-11-27": the days a claim speaks about. */
export const day = t => (t ? String(t).slice(0, 10) : '');
export function period(from, to) {
  if (!from && !to) return '—';
  if (from && to) return `${day(from)} → ${day(to)}`;
  return from ? `from ${day(from)}` : `until ${day(to)}`;
}
export const timeEl = (t, text) => h('time', { datetime: t }, text ?? when(t));

// ---- Statuses ----
export const STATUSES = ['submitted', 'under_review', 'verified', 'false', 'misleading', 'unverifiable', 'disputed', 'refuted', 'retracted'];
export const statusWords = s => String(s ?? '').replace(/_/g, ' ');
export const badge = (status, extra) => h('span', { class: `badge s-${status}` }, statusWords(status), extra ? ` · ${extra}` : null);

/** A table inside a scrolling box, so that a narrow screen scrolls the table and not the page. */
export function table(caption, head, rows, props = {}) {
  return h('div', { class: 'table-wrap', ...props },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, head.map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)));
}

export const shortId = id => String(id ?? '').slice(0, 8);
export const hex = bytes => [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');

/** A section with a heading, labelled by it. */
let sections = 0;
export function section(title, ...children) {
  const id = `s${++sections}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** Where a page says what went wrong, in words; announced to screen readers. */
export function notice(text, kind = 'error') {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
