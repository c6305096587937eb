// The actions on a claim that the user's role allows there, each with its form. A write carries the claim's ETag
// (If-Match): a decision is made on the version the user saw, and a change meanwhile is refused (412) in words.
import { h, notice, BOUND_WORDS } from '../dom.js';
import { api, get, itemsOf } from '../api.js';

let formCount = 0;

export function actions(claim, etag, me, reload) {
  if (!['checker', 'reviewer'].includes(me.role)) return null;
  if (claim.status === 'retracted')
    return h('section', { class: 'actions', 'aria-label': 'Actions' }, notice('This claim was retracted: nothing but reads after a retraction.', 'info'));
  const mine = claim.submittedBy === me.name;
  const open = (claim.disputes ?? []).find(d => !d.outcome);
  const forms = [];
  const post = (path, body) => api(`/api/claims/${claim.id}/${path}`, { method: 'POST', body, ifMatch: etag });

  if (me.role === 'reviewer' && open && open.openedBy !== me.name)
    forms.push(form('Resolve the dispute', 'resolve', [
      radios('outcome', 'Outcome', [['upheld', 'Upheld: the claim is refuted'], ['rejected', 'Rejected: the claim keeps its status']]),
      textarea('note', 'Note (why)', true)],
    v => post(`disputes/${open.id}/resolution`, { outcome: v.outcome, note: v.note }), reload));
  if (me.role === 'reviewer' && !mine && !open && claim.status !== 'refuted')
    forms.push(form('Record a verdict', 'verdict', [
      select('verdict', 'Verdict', ['verified', 'false', 'misleading', 'unverifiable'].map(v => [v, v])),
      textarea('note', 'Note (the reasoning, with its sources)', true)],
    v => post('verdict', { verdict: v.verdict, note: v.note }), reload));
  forms.push(evidenceForm(claim, post, reload));
  if (!open)
    forms.push(form('Open a dispute', 'dispute', [textarea('reason', 'Reason', true)], v => post('disputes', { reason: v.reason }), reload));
  if (mine) {
    forms.push(correctionForm(claim, post, reload));
    forms.push(form('Retract (the source withdrew it)', 'retract', [textarea('reason', 'Reason', true)],
      v => post('retraction', { reason: v.reason }), reload, 'Retract the claim'));
  }
  const notes = [];
  if (me.role === 'reviewer' && mine) notes.push('You submitted this claim: another reviewer records its verdict.');
  if (me.role === 'reviewer' && open && open.openedBy === me.name) notes.push('You opened the dispute: another reviewer resolves it.');
  if (me.role === 'reviewer' && open && !mine) notes.push('A verdict waits until the open dispute is resolved.');
  return h('section', { class: 'actions', 'aria-labelledby': 'actions-h' }, h('h2', { id: 'actions-h' }, 'Actions'),
    notes.map(n => h('p', { class: 'help' }, n)), forms);
}

/** A form in a disclosure: its fields, a submit button, and where the API's answer or refusal is said in words. */
function form(title, name, fields, submit, reload, button = title) {
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const f = h('form', { 'data-action': name, onsubmit: async e => {
    e.preventDefault();
    status.replaceChildren();
    const values = Object.fromEntries(new FormData(f).entries());
    const go = f.querySelector('button[type=submit]');
    go.disabled = true;
    try {
      const { data } = await submit(values);
      status.append(notice(`Recorded${data?.status ? `: the claim is now ${String(data.status).replace(/_/g, ' ')}` : ''}.`, 'info'));
      setTimeout(reload, 600);
    } catch (err) {
      status.append(notice(err.message));
      go.disabled = false;
    }
  } }, fields, h('button', { type: 'submit' }, button), status);
  return h('details', { class: 'action' }, h('summary', {}, title), f);
}

const fid = name => `f${++formCount}-${name}`;
export function input(name, label, props = {}) {
  const id = props.id ?? fid(name);
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name, ...props }));
}
export function textarea(name, label, required = false) {
  const id = fid(name);
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('textarea', { id, name, required, rows: 3 }));
}
export function select(name, label, options, props = {}) {
  const id = props.id ?? fid(name);
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, name, ...props }, options.map(([v, t, sel]) => h('option', { value: v, selected: !!sel }, t))));
}
function radios(name, legend, options) {
  return h('fieldset', {}, h('legend', {}, legend), options.map(([v, t], i) => {
    const id = fid(`${name}-${v}`);
    return h('div', { class: 'radio' }, h('input', { type: 'radio', id, name, value: v, required: i === 0 }), h('label', { for: id }, t));
  }));
}

export const boundOptions = current => Object.entries(BOUND_WORDS).map(([k, w]) => [k, w, k === current]);

function evidenceForm(claim, post, reload) {
  const sources = select('sourceId', 'Source of the evidence', [[claim.sourceId, 'this claim’s source', true]]);
  // The list of sources fills in when it arrives; the claim's own source is there from the start.
  get('/api/sources').then(list => {
    const sel = sources.querySelector('select');
    for (const s of itemsOf(list)) if (s.id !== claim.sourceId) sel.append(h('option', { value: s.id }, s.title));
  }).catch(() => {});
  return form('Attach evidence', 'evidence', [
    sources,
    input('quote', 'Quote from that source (optional; it must occur in its text)'),
    radios('stance', 'Stance', [['supports', 'Supports the claim'], ['contradicts', 'Contradicts the claim']]),
    textarea('note', 'Note', true)],
  v => post('evidence', { sourceId: v.sourceId, quote: v.quote || undefined, stance: v.stance, note: v.note }), reload);
}

function correctionForm(claim, post, reload) {
  const val = claim.value ?? {};
  const fields = [
    claim.figureId ? h('fieldset', {}, h('legend', {}, 'Value'),
      input('amount', 'Amount', { type: 'number', step: 'any', value: val.amount ?? '' }),
      select('bound', 'Bound', boundOptions(val.bound)),
      input('low', 'Low (optional)', { type: 'number', step: 'any', value: val.low ?? '' }),
      input('high', 'High (optional)', { type: 'number', step: 'any', value: val.high ?? '' })) : null,
    input('attributedTo', 'Originator', { value: claim.attributedTo }),
    input('quote', 'Quote', { value: claim.quote }),
    input('validFrom', 'Valid from', { type: 'date', value: claim.validFrom?.slice(0, 10) ?? '' }),
    input('validTo', 'Valid to', { type: 'date', value: claim.validTo?.slice(0, 10) ?? '' }),
    textarea('reason', 'Reason for the correction', true)];
  return form('Correct the claim', 'correct', fields, v => {
    const body = { reason: v.reason };
    if (v.attributedTo !== claim.attributedTo) body.attributedTo = v.attributedTo;
    if (v.quote !== claim.quote) body.quote = v.quote;
    if (v.validFrom !== (claim.validFrom?.slice(0, 10) ?? '')) body.validFrom = v.validFrom || null;
    if (v.validTo !== (claim.validTo?.slice(0, 10) ?? '')) body.validTo = v.validTo || null;
    if (claim.figureId && v.amount !== '') {
      const next = { amount: Number(v.amount), bound: v.bound };
      if (v.low !== '') next.low = Number(v.low);
      if (v.high !== '') next.high = Number(v.high);
      if (JSON.stringify(next) !== JSON.stringify({ amount: val.amount, bound: val.bound, ...(val.low != null ? { low: val.low } : {}), ...(val.high != null ? { high: val.high } : {}) }))
        body.value = next;
    }
    return post('corrections', body);
  }, reload);
}
