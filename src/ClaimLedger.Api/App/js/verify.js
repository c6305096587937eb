// Verification in the browser, with WebCrypto only: leaf hashes recomputed from the bytes the server says it hashed,
// inclusion proofs folded up to the root of the signed checkpoint (RFC 6962 / RFC 9162 §2.1.3.2), and the checkpoint —
// a C2SP signed note (c2sp.org/signed-note, tlog-checkpoint) — checked with Ed25519 against the log's verifier key the
// auditor pinned; witness cosignatures (c2sp.org/tlog-cosignature) against the witness keys pinned beside it. Nothing
// here trusts the server's word for a hash, a key or a signature.

export const secure = () => window.isSecureContext === true && !!globalThis.crypto?.subtle;

export const toHex = bytes => [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');
export function fromHex(s) {
  if (!/^([0-9a-f]{2})*$/i.test(s ?? '')) throw new Error(`not a hex string: ${s}`);
  return Uint8Array.from(s.match(/../g) ?? [], b => parseInt(b, 16));
}
export function fromBase64(s) {
  // atob accepts base64 without its padding and with spaces; a signed note's base64 is exact.
  if (!/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s ?? '')) throw new Error('not base64');
  return Uint8Array.from(atob(s), c => c.charCodeAt(0));
}
const utf8 = s => new TextEncoder().encode(s);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
export const sha256 = async bytes => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
export const leafHash = content => sha256(concat([0], content));
const nodeHash = (left, right) => sha256(concat([1], left, right));
export const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The root an inclusion proof leads to from a leaf hash (RFC 9162 §2.1.3.2); throws when the proof has the wrong shape. */
export async function rootFromInclusion(leafIndex, treeSize, leaf, path) {
  if (!(leafIndex < treeSize)) throw new Error(`leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
  let fn = leafIndex, sn = treeSize - 1, r = leaf;
  const half = n => Math.floor(n / 2);
  for (const p of path) {
    if (sn === 0) throw new Error('the proof is longer than a tree of this size allows');
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn); sn = half(sn);
  }
  if (sn !== 0) throw new Error('the proof is shorter than a tree of this size needs');
  return r;
}

// ---- Verifier keys (c2sp.org/signed-note) ----

/** Signature types: Ed25519 over the note text (a log), and timestamped Ed25519 cosignatures (a witness). */
export const ED25519 = 0x01, COSIGNATURE = 0x04;

/** Key names hold no Unicode space, no '+', no control character and no em dash (signed-note). */
const isKeyName = name => name.length > 0 && !/[\s+\u2014\p{Cc}]/u.test(name);

/** "name+keyid+base64(type ‖ key)": the name and the key ID end at the first two '+' (base64 may hold more). */
export async function parseVerifierKey(text) {
  const vkey = String(text ?? '').trim();
  const first = vkey.indexOf('+'), second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new Error('a verifier key is <name>+<key ID>+<base64 key>');
  const [name, id, encoded] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  if (!isKeyName(name)) throw new Error('the key name is empty or holds a space');
  if (!/^[0-9a-f]{8}$/.test(id)) throw new Error('the key ID is 8 lower-case hex digits');
  let bytes;
  try { bytes = fromBase64(encoded); } catch { throw new Error('the key is not base64'); }
  if (bytes.length !== 33 || (bytes[0] !== ED25519 && bytes[0] !== COSIGNATURE))
    throw new Error('the key is not an Ed25519 key of type 0x01 (a log) or 0x04 (a witness), 33 bytes');
  const [type, pub] = [bytes[0], bytes.slice(1)];
  const keyId = toHex((await sha256(concat(utf8(name), [0x0a, type], pub))).slice(0, 4));
  if (keyId !== id) throw new Error(`the key ID of this name and key is ${keyId}, not ${id}`);
  let key;
  try { key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']); }
  catch (e) { throw new Error(`this browser's WebCrypto cannot use Ed25519 keys (${e.name}): use a current browser`); }
  return { name, keyId, type, key, text: vkey };
}

// ---- Signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint) ----

/**
 * A note: its text (what is signed, up to and including the newline before the last blank line) and its signature
 * lines "— <key name> base64(key ID ‖ signature)". The checkpoint body: origin, tree size, base64 root, extensions.
 */
export function parseCheckpointNote(note) {
  if (typeof note !== 'string') throw new Error('the server sent no signed note');
  if (/[\u0000-\u0009\u000b-\u001f\ufffd]/.test(note)) throw new Error('a note holds no control characters other than newline');
  if (!note.endsWith('\n')) throw new Error('a note ends with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || split + 2 >= note.length) throw new Error('a note is a text, a blank line, then one signature line or more');
  const text = note.slice(0, split + 1);
  const signatures = note.slice(split + 2, -1).split('\n').map(line => {
    const m = line.match(/^\u2014 (\S+) (\S+)$/u);
    let bytes = null;
    try { bytes = m && isKeyName(m[1]) ? fromBase64(m[2]) : null; } catch { bytes = null; }
    if (!bytes || bytes.length < 5) throw new Error(`“${line.slice(0, 80)}” is not a signature line (— <key name> <base64>)`);
    return { name: m[1], keyId: toHex(bytes.slice(0, 4)), signature: bytes.slice(4) };
  });
  const lines = text.split('\n').slice(0, -1);
  if (lines.length < 3 || lines.some(l => l.length === 0)) throw new Error('a checkpoint is at least three lines: origin, tree size, root hash');
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1]) || !Number.isSafeInteger(Number(lines[1]))) throw new Error(`“${lines[1]}” is not a tree size`);
  let root;
  try { root = fromBase64(lines[2]); } catch { throw new Error('the root hash is not base64'); }
  if (root.length !== 32) throw new Error('the root hash is not 32 bytes');
  return { text, origin: lines[0], treeSize: Number(lines[1]), root, signatures };
}

/** Whether the pinned log key signed the checkpoint: the origin is the key's name, a signature line is the key's, and verifies. */
export async function verifyLogSignature(cp, logKey) {
  if (logKey.type !== ED25519) return { ok: false, why: 'the pinned log key is a witness key (type 0x04), not a log key (type 0x01)' };
  if (cp.origin !== logKey.name) return { ok: false, why: `the checkpoint is of the log “${cp.origin}”, the pinned key is of “${logKey.name}”` };
  const named = cp.signatures.filter(s => s.name === logKey.name);
  if (named.length === 0) return { ok: false, why: `the note carries no signature of ${logKey.name}` };
  const mine = named.find(s => s.keyId === logKey.keyId);
  if (!mine) return { ok: false, why: `the note is signed with key ID ${named.map(s => s.keyId).join(', ')}, the pinned key’s ID is ${logKey.keyId}` };
  const ok = mine.signature.length === 64 && await crypto.subtle.verify({ name: 'Ed25519' }, logKey.key, mine.signature, utf8(cp.text));
  return ok ? { ok, why: `Ed25519 signature of ${logKey.name}, key ID ${logKey.keyId}` }
    : { ok, why: 'the Ed25519 signature does not verify over the note’s text: the checkpoint was changed, or forged' };
}

/** "cosignature/v1\ntime <t>\n" then the note text: what a tlog-cosignature v1 signs. */
const cosigned = (text, time) => utf8(`cosignature/v1\ntime ${time}\n${text}`);

/**
 * The witnesses that cosigned the checkpoint, by the note's other signature lines: verified when a key of that name
 * and key ID is pinned ('verified' or 'failed'), else 'unchecked'; and the pinned witnesses that did not cosign ('absent').
 */
export async function witnessesOf(cp, witnessKeys) {
  const out = [];
  for (const s of cp.signatures.filter(s => s.name !== cp.origin)) {
    const key = witnessKeys.find(k => k.name === s.name && k.keyId === s.keyId);
    if (!key) {
      const other = witnessKeys.find(k => k.name === s.name);
      out.push({ name: s.name, state: 'unchecked', why: other ? `not checked: signed with key ID ${s.keyId}, the pinned key is ${other.keyId}` : 'not checked: key not pinned' });
      continue;
    }
    if (key.type === ED25519) {
      const ok = s.signature.length === 64 && await crypto.subtle.verify({ name: 'Ed25519' }, key.key, s.signature, utf8(cp.text));
      out.push({ name: s.name, state: ok ? 'verified' : 'failed', why: ok ? 'signature verified' : 'the signature does not verify with the pinned key' });
      continue;
    }
    if (s.signature.length !== 72) { out.push({ name: s.name, state: 'failed', why: 'not a tlog-cosignature (8-byte time and 64-byte signature)' }); continue; }
    const time = new DataView(s.signature.buffer, s.signature.byteOffset).getBigUint64(0);
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key.key, s.signature.slice(8), cosigned(cp.text, time));
    const at = time < 8640000000000n ? new Date(Number(time) * 1000).toISOString().replace('.000Z', 'Z') : `${time}`;
    out.push({ name: s.name, state: ok ? 'verified' : 'failed', why: ok ? `cosignature verified, cosigned at ${at}` : 'the cosignature does not verify with the pinned key' });
  }
  for (const k of witnessKeys.filter(k => !cp.signatures.some(s => s.name === k.name)))
    out.push({ name: k.name, state: 'absent', why: 'pinned, but did not cosign this checkpoint' });
  return out;
}

/** What a leaf says it is: its canonical JSON, to be compared with the event shown. */
export function leafFields(content) {
  try { return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content)); } catch { return null; }
}
