// A claim: its value, originator, status and verdict history; its provenance (the source's archived text with the quote
// highlighted, the source's SHA-256 recomputed here); every event with its leaf; the actions the user's role allows.
import { h, link, value, valueWords, when, period, badge, notice, section, statusWords, shortId } from '../dom.js';
import { api, get, itemsOf } from '../api.js';
import { sourceText, checkSha256 } from './source.js';
import { actions } from './claim-actions.js';

export async function render(main, { id, me, stale }) {
  const { data: claim, etag } = await api(`/api/claims/${id}`);
  const [events, source, figure] = await Promise.all([
    get(`/api/claims/${id}/events`),
    get(`/api/sources/${claim.sourceId}`),
    claim.figureId ? get(`/api/figures/${claim.figureId}`).catch(() => null) : null,
  ]);
  if (stale()) return;

  const mark = h('mark', { id: 'anchor' });
  main.append(
    h('p', { class: 'crumbs' }, figure ? [link(`/figures/${figure.id}`, figure.title), ' › '] : [link('/claims', 'Claims'), ' › ']),
    h('h1', {}, `Claim ${shortId(claim.id)} · ${claim.attributedTo}`),
    h('blockquote', { class: 'quote', lang: source.language }, claim.quote),
    facts(claim, figure, source),
    claim.supersededBy ? notice(h('span', {}, 'Superseded by a newer claim of the same originator: ', link(`/claims/${claim.supersededBy}`, 'the newer claim')), 'info') : null,
    me.role === 'auditor' ? h('p', {}, h('a', { href: `#/audit?claim=${claim.id}`, class: 'button' }, 'Verify this claim in this browser')) : null,
    actions(claim, etag, me, () => window.dispatchEvent(new HashChangeEvent('hashchange'))),
    decisions(claim),
    provenance(claim, source, mark),
    eventsSection(events));
  if (mark.isConnected) mark.scrollIntoView({ block: 'center' });
}

function facts(claim, figure, source) {
  const row = (k, ...v) => [h('dt', {}, k), h('dd', {}, ...v)];
  return h('dl', { class: 'facts' },
    row('Status', badge(claim.status)),
    row('Value', claim.value ? h('span', { class: 'value', title: valueWords(claim.value) }, value(claim.value)) : '—', figure ? ` ${figure.unit}` : ''),
    row('Figure', figure ? link(`/figures/${figure.id}`, figure.title) : 'none'),
    row('Originator', claim.attributedTo),
    row('Source', link(`/sources/${source.id}`, source.title), ` · ${source.outlet} · ${when(source.publishedAt).slice(0, 10)}`),
    row('Valid period', period(claim.validFrom, claim.validTo)),
    row('Submitted', `by ${claim.submittedBy}, ${when(claim.submittedAt)}`),
    row('Version', String(claim.version), ` · last change ${when(claim.lastChangedAt)}`),
    claim.supersedes ? row('Supersedes', link(`/claims/${claim.supersedes}`, shortId(claim.supersedes))) : null);
}

function decisions(claim) {
  const items = [];
  if (claim.verdict) items.push(h('li', {}, h('strong', {}, `Verdict: ${statusWords(claim.verdict.verdict)}`),
    ` by ${claim.verdict.recordedBy}, ${when(claim.verdict.recordedAt)} — `, h('span', { class: 'note' }, claim.verdict.note)));
  for (const d of claim.disputes ?? []) items.push(h('li', {},
    h('strong', {}, d.outcome ? `Dispute ${d.outcome}` : 'Dispute open'), ` — opened by ${d.openedBy}, ${when(d.openedAt)}: `,
    h('span', { class: 'note' }, d.reason),
    d.outcome ? h('div', {}, `Resolved by ${d.resolvedBy}, ${when(d.resolvedAt)}: `, h('span', { class: 'note' }, d.note)) : null));
  for (const e of claim.evidence ?? []) items.push(h('li', {},
    h('strong', {}, `Evidence (${e.stance})`), ` by ${e.attachedBy}, ${when(e.attachedAt)}: `, h('span', { class: 'note' }, e.note),
    e.quote ? h('blockquote', { class: 'quote small' }, e.quote) : null, ' ', link(`/sources/${e.sourceId}`, 'source')));
  if (!items.length) return null;
  return section('Verdicts, disputes and evidence', h('ul', { class: 'decisions' }, items),
    claim.evidenceCount > (claim.evidence?.length ?? 0) ? h('p', { class: 'help' }, `${claim.evidenceCount} pieces of evidence in all: every one is in the events below.`) : null);
}

function provenance(claim, source, mark) {
  const sha = h('p', { class: 'sha', 'aria-live': 'polite' });
  checkSha256(source, sha);
  if (!source.text) return section('Provenance', notice('The source was registered without its text: the quote is not anchored.', 'info'));
  return section('Provenance',
    h('p', { class: 'help' }, claim.anchor ? `The quote is anchored at characters ${claim.anchor.start}–${claim.anchor.end} of the source’s archived text (highlighted).` : 'The quote has no anchor.'),
    sha,
    sourceText(source, claim.anchor ? [{ start: claim.anchor.start, end: claim.anchor.end, el: mark }] : []));
}

const DESCRIBE = {
  claim_submitted: d => `${d.attributedTo}: “${d.quote}”${d.value ? ' — ' + value(d.value) : ''}`,
  evidence_attached: d => `${d.stance}: ${d.note}`,
  dispute_opened: d => `dispute: ${d.reason}`,
  dispute_resolved: d => `${d.outcome}: ${d.note}`,
  verdict_recorded: d => `${d.verdict}: ${d.note}`,
  claim_corrected: d => `${d.reason} (${value(d.previous?.value)} → ${value(d.corrected?.value)})`,
  claim_retracted: d => `retracted: ${d.reason}`,
  claim_superseded: d => `superseded by ${shortId(d.supersededBy)}`,
};

function eventsSection(events) {
  return section('Every event, with its leaf in the ledger',
    h('div', { class: 'table-wrap' }, h('table', { class: 'events' },
      h('caption', { class: 'visually-hidden' }, 'Events of this claim, oldest first'),
      h('thead', {}, h('tr', {}, ['Version', 'Event', 'Actor', 'Recorded', 'Leaf', 'Leaf hash'].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, itemsOf(events).map(e => h('tr', {},
        h('td', { class: 'num' }, String(e.version)),
        h('td', {}, h('strong', {}, statusWords(e.type)), h('div', { class: 'note' }, (DESCRIBE[e.type] ?? (() => ''))(e.data))),
        h('td', {}, e.actor), h('td', {}, when(e.recordedAt)),
        h('td', { class: 'num' }, e.leafIndex ?? 'pending'),
        h('td', { class: 'hash' }, e.leafHash ?? '—')))))));
}
