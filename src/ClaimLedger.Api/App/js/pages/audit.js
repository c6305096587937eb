// Audit: the latest checkpoint, the checkpoint history, verification of the whole ledger, exports, and "verify in this
// browser" on any claim against a public key the auditor pinned (kept in localStorage).
import { h, when, notice, section, download, clear } from '../dom.js';
import { api, get, q } from '../api.js';
import * as v from '../verify.js';

const PIN = 'claimledger.pinnedKey';

export async function render(main, { params, stale }) {
  let latest = null, latestProblem = null;
  try { latest = await get('/api/audit/checkpoints/latest'); } catch (e) { latestProblem = e.message; }
  if (stale()) return;
  main.append(h('h1', {}, 'Audit'),
    h('p', { class: 'lede' }, 'The ledger is an append-only Merkle log: every event a leaf, every few seconds a signed checkpoint of the whole tree. What is checked here attests that nothing recorded was changed — not that a claim is true.'),
    verifyInBrowser(params.get('claim') ?? ''),
    section('Latest checkpoint', latest ? checkpointFacts(latest) : notice(latestProblem, 'info')),
    pinSection(),
    wholeLedger(),
    history(),
    section('Exports',
      h('p', { class: 'help' }, 'Every event with its leaf (NDJSON), for the offline verify command; and the verdicts as schema.org ClaimReview.'),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', onclick: () => save('/api/export/events', 'claimledger-events.ndjson') }, 'Export every event (NDJSON)'),
        h('button', { type: 'button', onclick: () => save('/api/export/claimreview', 'claimledger-claimreview.jsonld') }, 'Export ClaimReview (JSON-LD)'))));
}

async function save(path, name) {
  const res = await api(path, { raw: true });
  download(name, await res.blob());
}

function checkpointFacts(cp) {
  const row = (k, val) => [h('dt', {}, k), h('dd', { class: 'hash' }, String(val))];
  return h('dl', { class: 'facts' }, row('Tree size', cp.treeSize), row('Root hash', cp.rootHash), row('Recorded', when(cp.recordedAt)),
    row('Key id', cp.keyId), row('Signature', cp.signature));
}

function pinSection() {
  const area = h('textarea', { id: 'pinned-key', rows: 5, spellcheck: 'false', class: 'mono', 'aria-describedby': 'pin-help' });
  area.value = localStorage.getItem(PIN) ?? '';
  const status = h('div', { 'aria-live': 'polite' });
  return section('Pinned public key',
    h('p', { id: 'pin-help', class: 'help' }, 'Paste the log’s public key from a channel you trust (the newsroom’s published key, not this server’s word). It stays in this browser (localStorage) and every verification here uses it.'),
    h('label', { for: 'pinned-key' }, 'Public key (PEM)'), area,
    h('div', { class: 'buttons' },
      h('button', { type: 'button', onclick: () => { localStorage.setItem(PIN, area.value.trim()); status.replaceChildren(notice('Key pinned.', 'info')); } }, 'Pin this key'),
      h('button', { type: 'button', class: 'secondary', onclick: async () => {
        clear(status);
        try {
          const served = await get('/api/audit/public-key');
          const pem = typeof served === 'string' ? served : served.publicKeyPem;
          const same = pem.trim() === area.value.trim();
          status.append(notice(same ? 'The server’s key is the pinned key.' : 'The server serves another key than the one pinned (shown below; pin it only if you trust it).', same ? 'info' : 'error'),
            same ? null : h('pre', { class: 'mono' }, pem));
        } catch (e) { status.append(notice(e.message)); }
      } }, 'Compare with the server’s key')),
    status);
}

function wholeLedger() {
  const out = h('div', { 'aria-live': 'polite' });
  return section('Verify the whole ledger on the server',
    h('p', { class: 'help' }, 'The server recomputes every leaf from its event, every root and every checkpoint signature.'),
    h('button', { type: 'button', onclick: async e => {
      e.target.disabled = true;
      clear(out).append(h('p', {}, 'Verifying…'));
      try {
        const r = await get('/api/audit/verify');
        clear(out).append(r.ok
          ? h('p', { class: 'ok' }, `✓ The ledger verifies: ${r.eventsChecked} events checked, tree of ${r.treeSize ?? r.checkpoint?.treeSize ?? '?'} leaves.`)
          : h('p', { class: 'bad', role: 'alert' }, `✗ The ledger does not verify: leaf ${r.firstBroken?.leafIndex} (stream ${r.firstBroken?.streamId}, version ${r.firstBroken?.version}): ${r.firstBroken?.reason}`));
        for (const w of r.witnesses ?? []) out.append(h('p', { class: w.ok ? 'ok' : 'bad' }, `${w.ok ? '✓' : '✗'} witness ${w.name} at size ${w.treeSize}${w.reason ? ': ' + w.reason : ''}`));
      } catch (err) { clear(out).append(notice(err.message)); }
      e.target.disabled = false;
    } }, 'Verify the ledger'), out);
}

function history() {
  const body = h('tbody');
  const status = h('p', { class: 'help', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more checkpoints');
  let after = null;
  const load = async () => {
    try {
      const page = await get(`/api/audit/checkpoints${q({ after, limit: 20 })}`);
      body.append(...page.items.map(cp => h('tr', {}, h('td', { class: 'num' }, String(cp.treeSize)), h('td', { class: 'hash' }, cp.rootHash),
        h('td', {}, when(cp.recordedAt)), h('td', { class: 'hash' }, String(cp.keyId ?? '').slice(0, 16) + '…'))));
      after = page.next;
      more.hidden = !after;
      status.textContent = `${body.children.length} checkpoints shown, oldest first`;
    } catch (e) { status.replaceChildren(notice(`The checkpoint history cannot be listed: ${e.message}`)); }
  };
  more.addEventListener('click', load);
  load();
  return section('Checkpoint history', status,
    h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'visually-hidden' }, 'Signed checkpoints'),
      h('thead', {}, h('tr', {}, ['Tree size', 'Root hash', 'Recorded', 'Key id'].map(c => h('th', { scope: 'col' }, c)))), body)), more);
}

function verifyInBrowser(claimId) {
  const input = h('input', { id: 'verify-claim', name: 'claim', value: claimId, autocomplete: 'off', class: 'mono', required: true });
  const steps = h('ol', { class: 'steps', id: 'verify-steps' });
  const verdict = h('div', { 'aria-live': 'polite', id: 'verify-result' });
  const form = h('form', { class: 'card', onsubmit: async e => {
    e.preventDefault();
    clear(steps); clear(verdict);
    const ok = await runSteps(input.value.trim(), steps);
    verdict.append(h('p', { class: ok ? 'ok big' : 'bad big', role: ok ? 'status' : 'alert' }, ok
      ? '✓ Verified in this browser: every event of this claim is in the signed ledger, unchanged.'
      : '✗ Not verified: see the step marked ✗.'));
  } },
  h('label', { for: 'verify-claim' }, 'Claim id'), input, h('button', { type: 'submit' }, 'Verify in this browser'), steps, verdict);
  return section('Verify a claim in this browser', form);
}

/** Each step is shown as it runs, ✓ or ✗ with why; the first ✗ stops the run. */
async function runSteps(claimId, list) {
  const step = (text) => {
    const li = h('li', { class: 'running' }, h('span', { class: 'mark' }, '…'), ' ', text, h('div', { class: 'why' }));
    list.append(li);
    return (ok, why) => {
      li.className = ok ? 'ok' : 'bad';
      li.firstChild.textContent = ok ? '✓' : '✗';
      if (why) li.lastChild.textContent = why;
      return ok;
    };
  };
  if (!step('This page is a secure context with WebCrypto')(v.secure(), v.secure() ? null :
    'The page was not loaded over HTTPS or from localhost, so the browser offers no WebCrypto: nothing can be checked here. Open it over HTTPS.')) return false;

  let pinned;
  const pinStep = step('A public key is pinned and readable');
  try { pinned = await v.importPinnedKey(localStorage.getItem(PIN)); pinStep(true, `key id ${pinned.keyId}`); } catch (e) { return pinStep(false, e.message + ' — pin the log’s key below.'); }

  let cp, format;
  const cpStep = step('The latest checkpoint is signed by the pinned key');
  try {
    cp = await get('/api/audit/checkpoints/latest');
    format = v.formatOf(cp);
    if (!format) return cpStep(false, 'the checkpoint is in a format this page does not know');
    const r = await format.verify(cp, pinned);
    if (!cpStep(r.ok, r.ok ? `${format.name}: tree of ${cp.treeSize} leaves, root ${cp.rootHash}` : r.why)) return false;
  } catch (e) { return cpStep(false, e.message); }

  let events;
  const evStep = step(`The claim’s events are read`);
  try { const data = await get(`/api/claims/${claimId}/events`); events = Array.isArray(data) ? data : data.items; evStep(true, `${events.length} events`); }
  catch (e) { return evStep(false, e.message); }

  const root = format.rootOf(cp);
  let all = true;
  for (const e of events) {
    const label = `Event ${e.version} (${e.type.replace(/_/g, ' ')})`;
    if (e.leafIndex == null || e.leafIndex >= cp.treeSize) {
      all = step(`${label} is in the signed tree`)(false, 'not yet in the latest signed checkpoint: checkpoints follow within seconds, verify again shortly');
      break;
    }
    const hashStep = step(`${label}: its leaf hash, recomputed from the leaf’s content, is the ledger’s leaf ${e.leafIndex}`);
    if (!e.leafContent) { all = hashStep(false, 'the server sent no leafContent for this event, so its leaf hash cannot be recomputed here'); break; }
    const content = v.fromBase64(e.leafContent);
    const fields = v.leafFields(content);
    if (!fields || String(fields.streamId).toLowerCase() !== claimId.toLowerCase() || fields.version !== e.version || fields.type !== e.type) {
      all = hashStep(false, 'the leaf’s content is not this event (its stream, version or type differ)'); break;
    }
    const recomputed = await v.leafHash(content);
    if (!hashStep(v.toHex(recomputed) === e.leafHash, `SHA-256(0x00 ‖ content) = ${v.toHex(recomputed)}` +
      (v.toHex(recomputed) === e.leafHash ? '' : `, but the ledger’s leaf hash is ${e.leafHash}: the event was changed after it was recorded`))) { all = false; break; }
    const incStep = step(`${label}: its inclusion proof leads to the signed root`);
    try {
      const proof = await get(`/api/audit/proofs/inclusion${q({ leafIndex: e.leafIndex, treeSize: cp.treeSize })}`);
      const got = await v.rootFromInclusion(e.leafIndex, cp.treeSize, recomputed, proof.auditPath.map(v.fromHex));
      if (!incStep(v.same(got, root), v.same(got, root) ? `${proof.auditPath.length} hashes up to ${cp.rootHash}` : `the proof leads to ${v.toHex(got)}, not to the signed root`)) { all = false; break; }
    } catch (err) { all = incStep(false, err.message); break; }
  }
  return all;
}
