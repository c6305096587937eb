// Verification in the browser, with WebCrypto only: leaf hashes recomputed from the bytes the server says it hashed,
// inclusion proofs folded up to the signed checkpoint's root (RFC 6962 / RFC 9162 §2.1.3.2), and the checkpoint's
// signature checked against a key the auditor pinned. Nothing here trusts the server's word for a hash.

export const secure = () => window.isSecureContext === true && !!globalThis.crypto?.subtle;

export const toHex = bytes => [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');
export function fromHex(s) {
  if (!/^([0-9a-f]{2})*$/i.test(s ?? '')) throw new Error(`not a hex string: ${s}`);
  return Uint8Array.from(s.match(/../g) ?? [], b => parseInt(b, 16));
}
export const fromBase64 = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
export const sha256 = async bytes => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
export const leafHash = content => sha256(concat([0], content));
const nodeHash = (left, right) => sha256(concat([1], left, right));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

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

// ---- Keys and checkpoints ----

/** A pinned key: a PEM public key (SPKI) today; a C2SP note verifier key (name+id+base64) is the next format. */
export async function importPinnedKey(text) {
  const pem = String(text ?? '').trim();
  const m = pem.match(/-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/);
  if (!m) throw new Error('the pinned key is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  const spki = fromBase64(m[1].replace(/\s+/g, ''));
  const key = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  return { kind: 'ecdsa-p256', key, keyId: toHex(await sha256(spki)) };
}

/**
 * The checkpoint formats the page can check, by the shape of what the server sends. Today's: ClaimLedger's own signed
 * tree head (ECDSA P-256 over four lines). A C2SP signed note (Ed25519, `GET /tlog/checkpoint`) becomes a second entry:
 * its signed bytes are the note's text, its key the pinned verifier key.
 */
export const CHECKPOINT_FORMATS = [
  {
    name: 'claimledger-checkpoint/v1 (ECDSA P-256)',
    fits: cp => typeof cp?.signature === 'string' && typeof cp?.rootHash === 'string' && /^[0-9a-f]{64}$/.test(cp.rootHash),
    rootOf: cp => fromHex(cp.rootHash),
    async verify(cp, pinned) {
      if (pinned.kind !== 'ecdsa-p256') return { ok: false, why: 'the pinned key is not an ECDSA P-256 key' };
      if (cp.keyId && cp.keyId !== pinned.keyId)
        return { ok: false, why: `the checkpoint was signed by key ${cp.keyId.slice(0, 16)}…, the pinned key is ${pinned.keyId.slice(0, 16)}…` };
      const signed = new TextEncoder().encode(`claimledger-checkpoint/v1\n${cp.treeSize}\n${cp.rootHash}\n${utcMicros(cp.recordedAt)}\n`);
      const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pinned.key, derToRaw(fromBase64(cp.signature)), signed);
      return ok ? { ok } : { ok, why: 'the signature does not match the checkpoint’s tree size, root and time' };
    },
  },
];

export const formatOf = cp => CHECKPOINT_FORMATS.find(f => f.fits(cp)) ?? null;

/** "2025-01-02T03:04:05.1234560+01:00" → "2025-01-02T02:04:05.123456Z", as the server wrote it into the signed bytes. */
export function utcMicros(t) {
  const m = String(t).match(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/);
  if (!m) throw new Error(`not an ISO 8601 time: ${t}`);
  const whole = new Date(Date.parse(m[1] + m[3])).toISOString().slice(0, 19);
  return `${whole}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
}

/** WebCrypto wants ECDSA signatures as r‖s (32 bytes each); the server sends DER (SEQUENCE of two INTEGERs). */
export function derToRaw(der) {
  let at = 0;
  const expect = (tag, what) => { if (der[at++] !== tag) throw new Error(`the signature is not DER: ${what}`); };
  const length = () => {
    let n = der[at++];
    if (n & 0x80) { let k = n & 0x7f; n = 0; while (k--) n = (n << 8) | der[at++]; }
    return n;
  };
  expect(0x30, 'no SEQUENCE');
  length();
  const int = () => {
    expect(0x02, 'no INTEGER');
    const n = length();
    let bytes = der.slice(at, at + n);
    at += bytes.length;
    while (bytes.length > 32 && bytes[0] === 0) bytes = bytes.slice(1);
    if (bytes.length > 32) throw new Error('the signature’s integer is longer than P-256 allows');
    return concat(new Uint8Array(32 - bytes.length), bytes);
  };
  return concat(int(), int());
}

/** What a leaf says it is: its canonical JSON, to be compared with the event shown. */
export function leafFields(content) {
  try { return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content)); } catch { return null; }
}

export { same };
