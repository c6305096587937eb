// The same JSON API as every other client, with the user's key. The key lives in this tab's sessionStorage only:
// never a cookie, a URL or a log.
const KEY = 'claimledger.key', ME = 'claimledger.me';
let onSignedOut = () => {};

export const session = {
  key: () => sessionStorage.getItem(KEY),
  me: () => JSON.parse(sessionStorage.getItem(ME) ?? 'null'),
  signIn(key, me) { sessionStorage.setItem(KEY, key); sessionStorage.setItem(ME, JSON.stringify(me)); },
  signOut(message) {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ME);
    onSignedOut(message);
  },
  whenSignedOut(f) { onSignedOut = f; },
};

/** A refusal or failure of the API, with the sentence the problem gave. */
export class Refusal extends Error {
  constructor(status, problem, path) {
    super(words(status, problem, path));
    this.status = status;
    this.problem = problem;
  }
}

const LEAD = {
  400: 'The request is not valid', 403: 'Not allowed', 404: 'Not found', 409: 'Refused', 412: 'Changed meanwhile',
  413: 'Too large', 415: 'Wrong media type', 422: 'Not accepted', 429: 'Too many requests', 503: 'The ledger is unavailable',
};

/** "Refused (409): a retracted claim cannot be verified". */
function words(status, problem, path) {
  const lead = LEAD[status] ?? (status >= 500 ? 'The server failed' : `Error`);
  let detail = problem?.detail ?? problem?.title ?? `${path} answered ${status}`;
  if (problem?.field && !detail.startsWith(problem.field) && status !== 403) detail = `${problem.field}: ${detail}`;
  if (status === 412) {
    detail = `the claim changed since this page was loaded` +
      (problem?.currentVersion != null ? ` (it is now at version ${problem.currentVersion})` : '') + `: reload it and decide again. (${detail})`;
  }
  return `${lead} (${status}): ${detail}`;
}

/**
 * fetch with the key. Options: method, body (JSON), ifMatch, raw (the Response, for files), key (sign-in's check).
 * A 401 signs the user out: the key was revoked or is unknown.
 */
export async function api(path, { method = 'GET', body, ifMatch, raw = false, key } = {}) {
  const headers = { Accept: 'application/json' };
  const k = key ?? session.key();
  if (k) headers.Authorization = `Bearer ${k}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  // A retried write (a lost answer, a double click) is the same write: the server answers it as it answered the first.
  if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID?.() ?? String(Math.random()).slice(2);
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new Refusal(0, { detail: `the server could not be reached (${e.message})` }, path);
  }
  if (res.status === 401 && !key) {
    session.signOut('Your API key was refused (it was revoked, or it is unknown): you have been signed out. Sign in with a valid key.');
    throw new Refusal(401, await problemOf(res), path);
  }
  if (!res.ok) throw new Refusal(res.status, await problemOf(res), path);
  if (raw) return res;
  if (res.status === 204) return { data: null, etag: null };
  const type = res.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await res.json() : await res.text();
  return { data, etag: res.headers.get('ETag') };
}

async function problemOf(res) {
  try { return JSON.parse(await res.text()); } catch { return null; }
}

/** GET and just the body. */
export const get = async path => (await api(path)).data;

/** Lists the API pages as {items, next}; an older server answers a plain array. */
export const itemsOf = d => (Array.isArray(d) ? d : d?.items ?? []);

export const q = params => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') s.set(k, v);
  const t = s.toString();
  return t ? '?' + t : '';
};
