// A source: its archived text with the claims anchored in it highlighted, its SHA-256 recomputed here, and "new claim
// from a selection": select the quote in the text and the form is filled with it and its anchor.
import { h, link, value, when, badge, notice, section, hex, safeLink, shortId } from '../dom.js';
import { api, get, itemsOf } from '../api.js';
import { input, select, boundOptions } from './claim-actions.js';

export async function render(main, { id, me, stale }) {
  const source = await get(`/api/sources/${id}`);
  let claims = null, claimsProblem = null;
  try { claims = itemsOf(await get(`/api/sources/${id}/claims`)); } catch (e) { claimsProblem = e.message; }
  if (stale()) return;

  const sha = h('p', { class: 'sha', 'aria-live': 'polite' });
  checkSha256(source, sha);
  const anchored = (claims ?? []).filter(c => c.anchor || c.quote).map(c => ({ ...(c.anchor ?? findAnchor(source.text, c.quote) ?? {}), claim: c }))
    .filter(a => a.start != null);
  const textBox = source.text ? sourceText(source, anchored) : null;
  const canWrite = ['checker', 'reviewer'].includes(me.role);

  main.append(
    h('p', { class: 'crumbs' }, link('/sources', 'Sources'), ' › '),
    h('h1', { lang: source.language }, source.title),
    h('p', { class: 'lede' }, `${source.outlet} · published ${when(source.publishedAt).slice(0, 10)} · language ${source.language}`,
      source.url ? [' · ', safeLink(source.url)] : null),
    h('p', { class: 'help' }, `Registered by ${source.registeredBy}, ${when(source.registeredAt)}.`),
    sha,
    canWrite && textBox ? newClaimForm(source, textBox) : null,
    section('Text', textBox ?? notice('This source was registered without its text.', 'info')),
    section('Claims anchored in this source', claimsProblem ? notice(`The claims of this source cannot be listed: ${claimsProblem}`)
      : claims.length === 0 ? h('p', {}, 'No claim yet.') : claimsTable(claims)));
}

/** The source's text as text nodes, with the given ranges wrapped in <mark>; overlapping ranges share their segments. */
export function sourceText(source, ranges) {
  const text = source.text;
  const cuts = [...new Set([0, text.length, ...ranges.flatMap(r => [r.start, r.end])])].filter(n => n >= 0 && n <= text.length).sort((a, b) => a - b);
  const box = h('div', { class: 'source-text', id: 'source-text', lang: source.language, tabindex: 0, role: 'region', 'aria-label': 'The source’s archived text' });
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [a, b] = [cuts[i], cuts[i + 1]];
    const piece = text.slice(a, b);
    const over = ranges.filter(r => r.start <= a && r.end >= b);
    if (!over.length) { box.append(piece); continue; }
    const own = over.find(r => r.el);
    const m = own && !own.el.firstChild ? own.el : h('mark', { class: over.length > 1 ? 'overlap' : null });
    m.append(piece);
    if (over[0].claim) m.setAttribute('title', over.map(r => `${r.claim.attributedTo}: ${value(r.claim.value)} (${r.claim.status})`).join('\n'));
    box.append(m);
  }
  return box;
}

export async function checkSha256(source, el) {
  if (!source.text) { el.textContent = 'No text was archived, so there is no SHA-256 to check.'; return; }
  if (!window.isSecureContext || !crypto.subtle) {
    el.replaceChildren(notice('This page is not a secure context (HTTPS or localhost): the browser offers no WebCrypto here, so the SHA-256 of the text cannot be recomputed.'));
    return;
  }
  const digest = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(source.text))));
  const ok = digest === source.contentSha256;
  el.replaceChildren(h('span', { class: ok ? 'ok' : 'bad' }, ok ? '✓ ' : '✗ '),
    ok ? 'The text’s SHA-256, recomputed in this browser, matches the one recorded at registration: '
       : `The text’s SHA-256 recomputed here (${digest}) differs from the one recorded: `,
    h('code', { class: 'hash' }, source.contentSha256 ?? 'none'));
}

/** Where a quote starts in the text, as this browser finds it exactly (the server also folds spaces and quote marks). */
export function findAnchor(text, quote) {
  const start = text?.indexOf(quote) ?? -1;
  return start < 0 || !quote ? null : { start, end: start + quote.length };
}

function claimsTable(claims) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'visually-hidden' }, 'Claims anchored in this source'),
    h('thead', {}, h('tr', {}, ['Claim', 'Originator', 'Quote', 'Value', 'Status'].map(c => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, claims.map(c => h('tr', {},
      h('td', {}, link(`/claims/${c.id}`, shortId(c.id))), h('td', {}, c.attributedTo), h('td', { class: 'note' }, c.quote),
      h('td', { class: 'num' }, value(c.value)), h('td', {}, badge(c.status)))))));
}

function newClaimForm(source, textBox) {
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const anchorNote = h('p', { class: 'help', id: 'anchor-note', 'aria-live': 'polite' }, 'Select the quote in the text below, or type it here.');
  const quote = h('textarea', { id: 'new-quote', name: 'quote', rows: 3, required: true, 'aria-describedby': 'anchor-note', lang: source.language });
  const figureSel = select('figureId', 'Figure', [['', 'none (a statement with no value)']], { id: 'new-figure' });
  const supersedes = select('supersedes', 'Supersedes (a newer count of the same originator on the same figure)', [['', 'nothing']]);
  let figures = [];
  get('/api/figures').then(list => {
    figures = list;
    const sel = figureSel.querySelector('select');
    sel.append(...list.map(f => h('option', { value: f.id }, `${f.title} (${f.unit})`)));
  }).catch(e => status.append(notice(e.message)));
  figureSel.querySelector('select').addEventListener('change', async e => {
    const sel = supersedes.querySelector('select');
    sel.replaceChildren(h('option', { value: '' }, 'nothing'));
    if (!e.target.value) return;
    const picture = await get(`/api/figures/${e.target.value}`);
    sel.append(...picture.current.map(c => h('option', { value: c.claimId }, `${c.attributedTo}: ${value(c.value)}`)));
  });

  function describe(anchor, fromSelection) {
    const first = findAnchor(source.text, quote.value);
    if (!quote.value) anchorNote.textContent = 'Select the quote in the text below, or type it here.';
    else if (fromSelection && first && first.start !== anchor.start)
      anchorNote.textContent = `The selected words also occur earlier (at ${first.start}); the ledger anchors a quote where it first occurs: select a longer quote to anchor it at ${anchor.start}.`;
    else if (first) anchorNote.textContent = `Anchor: characters ${first.start}–${first.end} of the text.`;
    else anchorNote.textContent = 'Not found exactly in the text; the ledger will look for it ignoring differences of spaces and quotation marks, and refuse it if it is not there.';
  }
  const fromSelection = () => {
    const sel = document.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const range = sel.getRangeAt(0);
    if (!textBox.contains(range.commonAncestorContainer)) return;
    const before = document.createRange();
    before.selectNodeContents(textBox);
    before.setEnd(range.startContainer, range.startOffset);
    const start = before.toString().length, picked = range.toString();
    quote.value = picked;
    describe({ start, end: start + picked.length }, true);
  };
  textBox.addEventListener('mouseup', fromSelection);
  textBox.addEventListener('keyup', fromSelection);
  quote.addEventListener('input', () => describe(null, false));

  const f = h('form', { id: 'new-claim', onsubmit: async e => {
    e.preventDefault();
    status.replaceChildren();
    const v = Object.fromEntries(new FormData(f).entries());
    const body = { sourceId: source.id, quote: v.quote, attributedTo: v.attributedTo };
    if (v.figureId) body.figureId = v.figureId;
    if (v.figureId && v.amount !== '') {
      body.value = { amount: Number(v.amount), bound: v.bound };
      if (v.low !== '') body.value.low = Number(v.low);
      if (v.high !== '') body.value.high = Number(v.high);
    }
    if (v.validFrom) body.validFrom = v.validFrom;
    if (v.validTo) body.validTo = v.validTo;
    if (v.supersedes) body.supersedes = v.supersedes;
    try {
      const { data } = await api('/api/claims', { method: 'POST', body });
      location.hash = `#/claims/${data.id}`;
    } catch (err) { status.append(notice(err.message)); }
  } },
  h('div', { class: 'field' }, h('label', { for: 'new-quote' }, 'Quote'), quote, anchorNote),
  h('button', { type: 'button', class: 'secondary', onclick: fromSelection }, 'Use the selected text'),
  input('attributedTo', 'Originator (who said it)', { required: true, id: 'new-originator', autocomplete: 'off' }),
  figureSel,
  h('fieldset', {}, h('legend', {}, 'Value (for a figure)'),
    input('amount', 'Amount', { type: 'number', step: 'any', id: 'new-amount' }), select('bound', 'Bound', boundOptions('exact'), { id: 'new-bound' }),
    input('low', 'Low (optional)', { type: 'number', step: 'any' }), input('high', 'High (optional)', { type: 'number', step: 'any' })),
  h('fieldset', {}, h('legend', {}, 'Valid period (what the claim speaks about)'),
    input('validFrom', 'From', { type: 'date', id: 'new-valid-from' }), input('validTo', 'To', { type: 'date' })),
  supersedes,
  h('button', { type: 'submit' }, 'Submit the claim'), status);
  return h('details', { class: 'action new-claim', open: true }, h('summary', {}, 'New claim from a selection'), f);
}
