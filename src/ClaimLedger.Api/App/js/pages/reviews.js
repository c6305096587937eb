// The review queue: what this reviewer may decide now, oldest first. The server applies four eyes (never a claim the
// reviewer submitted, never a dispute it opened); the page shows what it is given.
import { h, link, value, when, badge, notice, shortId } from '../dom.js';
import { get, itemsOf } from '../api.js';

const REASONS = { dispute_open: 'a dispute to resolve', awaiting_verdict: 'awaiting a verdict' };

export async function render(main, { stale }) {
  const items = itemsOf(await get('/api/reviews/pending'));
  const claims = await Promise.all(items.map(i => get(`/api/claims/${i.claimId}`).catch(() => null)));
  if (stale()) return;
  main.append(h('h1', {}, 'Review queue'),
    h('p', { class: 'lede' }, 'What you may decide now, oldest first. Claims you submitted and disputes you opened go to another reviewer.'),
    items.length === 0 ? notice('Nothing waits for you.', 'info') :
      h('div', { class: 'table-wrap' }, h('table', { id: 'queue' }, h('caption', { class: 'visually-hidden' }, 'Pending decisions, oldest first'),
        h('thead', {}, h('tr', {}, ['Waiting since', 'Decision', 'Claim', 'Originator', 'Quote', 'Value', 'Status', 'Submitted by'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.map((item, i) => {
          const c = claims[i];
          return h('tr', { 'data-claim': item.claimId },
            h('td', {}, when(item.since)), h('td', {}, REASONS[item.reason] ?? item.reason),
            h('td', {}, link(`/claims/${item.claimId}`, shortId(item.claimId))),
            h('td', {}, c?.attributedTo ?? ''), h('td', { class: 'note' }, c?.quote ?? ''),
            h('td', { class: 'num' }, c ? value(c.value) : ''), h('td', {}, c ? badge(c.status) : ''), h('td', {}, c?.submittedBy ?? ''));
        })))));
}
