// Audit: the latest checkpoint, the checkpoint history, verification of the whole ledger, exports, and "verify in this
// browser" on any claim against the log's note verifier key the auditor pinned, and the witnesses' keys pinned beside it
// (kept in localStorage).
import { h, when, notice, section, download, clear } from '../dom.js';
import { api, get, q } from '../api.js';
import * as v from '../verify.js';

const LOG_KEY = 'claimledger.logVerifierKey', WITNESS_KEYS = 'claimledger.witnessKeys';

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
  // Checkpoints signed before the switch to signed notes carry no origin and no note: an ECDSA P-256 signature.
  return h('dl', { class: 'facts' }, row('Tree size', cp.treeSize), row('Root hash', cp.rootHash), row('Recorded', when(cp.recordedAt)),
    cp.origin ? row('Log (origin)', cp.origin) : null, row('Key ID', cp.keyId),
    cp.note ? [h('dt', {}, 'Signed note'), h('dd', {}, h('pre', { class: 'mono', id: 'checkpoint-note' }, cp.note))] : row('Signature (ECDSA P-256)', cp.signature));
}

/** The pinned keys as the auditor pasted them: the log's verifier key, and the witnesses' keys, one a line. */
const pinnedWitnessLines = () => (localStorage.getItem(WITNESS_KEYS) ?? '').split('\n').map(l => l.trim()).filter(Boolean);

function pinSection() {
  const logKey = h('textarea', { id: 'pinned-key', rows: 2, class: 'mono', spellcheck: 'false', 'aria-describedby': 'pin-help' });
  const witnessKeys = h('textarea', { id: 'witness-keys', rows: 3, spellcheck: 'false', class: 'mono', 'aria-describedby': 'witness-help' });
  logKey.value = localStorage.getItem(LOG_KEY) ?? '';
  witnessKeys.value = pinnedWitnessLines().join('\n');
  const status = h('div', { 'aria-live': 'polite', id: 'pin-status' });
  const pin = async () => {
    clear(status);
    const lines = witnessKeys.value.split('\n').map(l => l.trim()).filter(Boolean);
    if (v.secure()) {
      // Only keys that parse are pinned: a typo found now is not a failed verification later.
      const problems = [];
      if (logKey.value.trim()) await v.parseVerifierKey(logKey.value).catch(e => problems.push(`Log verifier key: ${e.message}`));
      for (const [i, line] of lines.entries()) await v.parseVerifierKey(line).catch(e => problems.push(`Witness key ${i + 1}: ${e.message}`));
      if (problems.length) return status.append(...problems.map(p => notice(`Not pinned. ${p}`)));
    }
    localStorage.setItem(LOG_KEY, logKey.value.trim());
    localStorage.setItem(WITNESS_KEYS, lines.join('\n'));
    status.append(notice(`Keys pinned: ${logKey.value.trim() ? 'the log’s verifier key' : 'no log key'}, ${lines.length} witness key${lines.length === 1 ? '' : 's'}` +
      (v.secure() ? '.' : ' (not checked: this page is not a secure context, so it cannot use them).'), 'info'));
  };
  return section('Pinned keys',
    h('p', { id: 'pin-help', class: 'help' }, 'Paste the log’s note verifier key (name+key ID+key) from a channel you trust (the newsroom’s published key, not this server’s word). It stays in this browser (localStorage) and every verification here uses it.'),
    h('label', { for: 'pinned-key' }, 'Log verifier key'), logKey,
    h('p', { id: 'witness-help', class: 'help' }, 'Witnesses cosign checkpoints: a witness whose key is pinned here has its cosignature checked; the others are named, not checked.'),
    h('label', { for: 'witness-keys' }, 'Witness verifier keys (optional, one a line)'), witnessKeys,
    h('div', { class: 'buttons' },
      h('button', { type: 'button', onclick: pin }, 'Pin these keys'),
      h('button', { type: 'button', class: 'secondary', onclick: async () => {
        clear(status);
        try {
          const served = (await get('/api/audit/public-key')).verifierKey ?? '';
          const same = served === logKey.value.trim();
          status.append(notice(same ? 'The server’s key is the pinned key.' : 'The server serves another key than the one pinned (shown below; pin it only if you trust it).', same ? 'info' : 'error'),
            same ? null : h('pre', { class: 'mono' }, served));
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

// A note key ID is 8 hex digits; the SHA-256 of a P-256 key, from before the switch, is cut.
const shortId = id => (String(id ?? '').length > 16 ? String(id).slice(0, 16) + '…' : String(id ?? ''));

function history() {
  const body = h('tbody');
  const status = h('p', { class: 'help', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more checkpoints');
  let after = null;
  const load = async () => {
    try {
      const page = await get(`/api/audit/checkpoints${q({ after, limit: 20 })}`);
      body.append(...page.items.map(cp => h('tr', {}, h('td', { class: 'num' }, String(cp.treeSize)), h('td', { class: 'hash' }, cp.rootHash),
        h('td', {}, when(cp.recordedAt)), h('td', { class: 'hash' }, shortId(cp.keyId)))));
      after = page.next;
      more.hidden = !after;
      status.textContent = `${body.children.length} checkpoints shown, oldest first`;
    } catch (e) { status.replaceChildren(notice(`The checkpoint history cannot be listed: ${e.message}`)); }
  };
  more.addEventListener('click', load);
  load();
  return section('Checkpoint history', status,
    h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'visually-hidden' }, 'Signed checkpoints'),
      h('thead', {}, h('tr', {}, ['Tree size', 'Root hash', 'Recorded', 'Key ID'].map(c => h('th', { scope: 'col' }, c)))), body)), more);
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
      ? '✓ Verified in this browser: every event of this claim is in the checkpoint signed by the pinned log key, unchanged.'
      : '✗ Not verified: see the step marked ✗.'));
  } },
  h('label', { for: 'verify-claim' }, 'Claim id'), input, h('button', { type: 'submit' }, 'Verify in this browser'), steps, verdict);
  return section('Verify a claim in this browser', form);
}

const MARK = { verified: '✓', failed: '✗', unchecked: '–', absent: '–' };

/** Each step is shown as it runs, ✓ or ✗ with why; the first ✗ stops the run. */
async function runSteps(claimId, list) {
  const step = (text) => {
    const li = h('li', { class: 'running' }, h('span', { class: 'mark' }, '…'), ' ', text, h('div', { class: 'why' }));
    list.append(li);
    const done = (ok, why) => {
      li.className = ok ? 'ok' : 'bad';
      li.firstChild.textContent = ok ? '✓' : '✗';
      if (why) li.querySelector('.why').textContent = why;
      return ok;
    };
    done.li = li;
    return done;
  };
  if (!step('This page is a secure context with WebCrypto')(v.secure(), v.secure() ? null :
    'The page was not loaded over HTTPS or from localhost, so the browser offers no WebCrypto: nothing can be checked here. Open it over HTTPS.')) return false;

  let logKey, witnessKeys = [];
  const pinStep = step('The log’s verifier key is pinned and readable');
  const pinnedLog = localStorage.getItem(LOG_KEY) ?? '';
  if (!pinnedLog.trim()) return pinStep(false, 'no log verifier key is pinned — pin the log’s key below.');
  try { logKey = await v.parseVerifierKey(pinnedLog); } catch (e) { return pinStep(false, `the pinned log key: ${e.message} — pin the log’s key below.`); }
  for (const [i, line] of pinnedWitnessLines().entries()) {
    try { witnessKeys.push(await v.parseVerifierKey(line)); } catch (e) { return pinStep(false, `pinned witness key ${i + 1}: ${e.message}`); }
  }
  pinStep(true, `${logKey.name}, key ID ${logKey.keyId}; ${witnessKeys.length} witness key${witnessKeys.length === 1 ? '' : 's'} pinned`);

  let cp;
  const noteStep = step('The latest checkpoint is a signed note');
  try {
    const latest = await get('/api/audit/checkpoints/latest');
    if (!latest.note) return noteStep(false, 'the latest checkpoint was signed before the switch to signed notes (ECDSA P-256): the next event recorded is checkpointed as a note; verify again then');
    cp = v.parseCheckpointNote(latest.note);
    noteStep(true, `${cp.origin}: tree of ${cp.treeSize} leaves, root ${v.toHex(cp.root)}`);
  } catch (e) { return noteStep(false, e.message); }

  const sigStep = step('The checkpoint is signed by the pinned log key');
  try { const r = await v.verifyLogSignature(cp, logKey); if (!sigStep(r.ok, r.why)) return false; } catch (e) { return sigStep(false, e.message); }

  const wStep = step('Witnesses that cosigned the checkpoint');
  const witnesses = await v.witnessesOf(cp, witnessKeys);
  const cosigners = witnesses.filter(w => w.state !== 'absent');
  const failed = witnesses.filter(w => w.state === 'failed');
  wStep.li.append(h('ul', { class: 'witnesses' }, witnesses.map(w =>
    h('li', { class: w.state === 'verified' ? 'ok' : w.state === 'failed' ? 'bad' : '' }, h('span', { class: 'mark' }, MARK[w.state]), ' ', w.name, ': ', w.why))));
  if (!wStep(failed.length === 0, cosigners.length === 0 ? 'no witness cosigned this checkpoint'
    : failed.length ? `a cosignature of ${failed.map(w => w.name).join(', ')} does not verify with the pinned key: it was forged or changed`
      : `${cosigners.length} cosigned, ${cosigners.filter(w => w.state === 'verified').length} verified with a pinned key`)) return false;

  let events;
  const evStep = step(`The claim’s events are read`);
  try { const data = await get(`/api/claims/${claimId}/events`); events = Array.isArray(data) ? data : data.items; evStep(true, `${events.length} events`); }
  catch (e) { return evStep(false, e.message); }

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
    const incStep = step(`${label}: its inclusion proof leads to the signed root and size`);
    try {
      // The proof is asked for the note's size, and what it leads to is compared with the note's root, not the server's.
      const proof = await get(`/api/audit/proofs/inclusion${q({ leafIndex: e.leafIndex, treeSize: cp.treeSize })}`);
      if (proof.treeSize !== cp.treeSize) { all = incStep(false, `the proof is for a tree of ${proof.treeSize} leaves, the note’s is ${cp.treeSize}`); break; }
      const got = await v.rootFromInclusion(e.leafIndex, cp.treeSize, recomputed, proof.auditPath.map(v.fromHex));
      if (!incStep(v.same(got, cp.root), v.same(got, cp.root) ? `${proof.auditPath.length} hashes up to the note’s root ${v.toHex(cp.root)} (size ${cp.treeSize})`
        : `the proof leads to ${v.toHex(got)}, not to the note’s root ${v.toHex(cp.root)}`)) { all = false; break; }
    } catch (err) { all = incStep(false, err.message); break; }
  }
  return all;
}
