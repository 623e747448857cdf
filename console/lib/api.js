// The console's only way to the REST API (`/api/v1`).
//
// - The access token lives in this module's memory only (never in storage);
//   the refresh token is the HttpOnly `gridops_refresh` cookie, which only
//   `/api/v1/auth/*` ever sees.
// - A 401 triggers one refresh (shared by every request that got a 401 at the
//   same time) and one retry; if the refresh fails the session is lost and the
//   listeners registered with `onSessionLost` are told (the shell shows the
//   sign-in form and comes back to the same URL afterwards).
// - Every failure is an `ApiError` carrying the RFC 9457 problem; a network
//   failure has `status === 0`.

const BASE = '/api/v1';
const CONSOLE_HEADER = { 'X-Requested-With': 'gridops-console' };

/** An answer that is not 2xx, or no answer at all (`status === 0`). */
export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem || {};
    super(p.detail || p.title || (status === 0 ? 'Network error' : `HTTP ${status}`));
    this.name = 'ApiError';
    this.status = status;
    // Extension members (`existing_rule`, `allowed_actions`, …) are kept.
    this.problem = {
      ...p,
      type: p.type || 'about:blank',
      title: p.title || (status === 0 ? 'Network error' : `HTTP ${status}`),
      status,
      detail: p.detail || p.title || '',
      code: p.code || (status === 0 ? 'network' : `http_${status}`),
      ...(p.errors ? { errors: p.errors } : {}),
    };
    /** Seconds from `Retry-After`, when the server sent one. */
    this.retryAfter = p.retryAfter ?? null;
  }
}

let accessToken = null;
let expiresAt = 0; // ms since epoch
let refreshing = null; // the one refresh in flight
const lostListeners = new Set();
const tokenListeners = new Set();

/** The current access token (null when signed out). For live.js. */
export function token() {
  return accessToken;
}

/** Stores a token answer (`{access_token, expires_in}`); null clears it. */
export function setToken(answer) {
  if (answer && answer.access_token) {
    accessToken = answer.access_token;
    expiresAt = Date.now() + (Number(answer.expires_in) || 900) * 1000;
  } else {
    accessToken = null;
    expiresAt = 0;
  }
  for (const fn of tokenListeners) fn(accessToken);
}

/** `fn(token|null)` on every change of the token; returns an unsubscribe. */
export function onTokenChange(fn) {
  tokenListeners.add(fn);
  return () => tokenListeners.delete(fn);
}

/** `fn()` when a refresh fails: the session is over. Returns an unsubscribe. */
export function onSessionLost(fn) {
  lostListeners.add(fn);
  return () => lostListeners.delete(fn);
}

function retryAfterOf(res) {
  const v = res.headers.get('Retry-After');
  if (!v) return null;
  const n = Number(v);
  if (Number.isFinite(n)) return n;
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, Math.round((d - Date.now()) / 1000)) : null;
}

async function problemOf(res) {
  let body = null;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const p = body && typeof body === 'object' ? body : { title: res.statusText };
  p.retryAfter = retryAfterOf(res);
  return new ApiError(res.status, p);
}

function networkError(e) {
  return new ApiError(0, { title: 'Network error', detail: String((e && e.message) || e), code: 'network' });
}

/**
 * Exchanges the refresh cookie for a new access token. Concurrent callers
 * share one request. Resolves to the token; rejects with an ApiError (401:
 * no valid session; then the session-lost listeners have been told, unless
 * `quiet`).
 */
export function refreshToken({ quiet = false } = {}) {
  if (!refreshing) {
    refreshing = (async () => {
      let res;
      try {
        res = await fetch(`${BASE}/auth/refresh`, {
          method: 'POST',
          headers: { ...CONSOLE_HEADER, Accept: 'application/json' },
          credentials: 'same-origin',
          cache: 'no-store',
        });
      } catch (e) {
        throw networkError(e);
      }
      if (!res.ok) {
        const err = await problemOf(res);
        // Any 4xx: there is no valid session (no cookie, expired, reused, revoked).
        if (res.status >= 400 && res.status < 500 && res.status !== 429) {
          setToken(null);
          err.sessionLost = true;
        }
        throw err;
      }
      const body = await res.json();
      setToken(body);
      return accessToken;
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing.catch((err) => {
    if (err.sessionLost && !quiet) for (const fn of lostListeners) fn();
    throw err;
  });
}

/** Signs in with the cookie session; resolves to the token answer. */
export async function login(username, password) {
  let res;
  try {
    res = await fetch(`${BASE}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
      body: JSON.stringify({ username, password, cookie: true }),
    });
  } catch (e) {
    throw networkError(e);
  }
  if (!res.ok) throw await problemOf(res);
  const body = await res.json();
  setToken(body);
  return body;
}

/** Ends the cookie session (best effort) and forgets the token. */
export async function logout() {
  try {
    await fetch(`${BASE}/auth/logout`, {
      method: 'POST',
      headers: { ...CONSOLE_HEADER },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    /* signed out locally anyway */
  }
  setToken(null);
}

function queryOf(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? params.entries() : Object.entries(params);
  for (const [k, v] of entries) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) q.set(k, v.join(','));
    } else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function etagValue(v) {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number') return `"${v}"`;
  const s = String(v).trim();
  return s.startsWith('"') || s.startsWith('W/') || s === '*' ? s : `"${s}"`;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * One request with the bearer token; refreshes once on 401.
 * `opts`: {params, body (object → JSON, FormData as is), ifMatch, idempotent,
 * idempotencyKey, as: 'json'|'blob'|'response', signal}
 */
async function request(method, path, opts = {}) {
  const url = `${BASE}${path.startsWith('/') ? path : `/${path}`}${queryOf(opts.params)}`;
  const headers = { Accept: 'application/json' };
  let body;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const im = etagValue(opts.ifMatch);
  if (im) headers['If-Match'] = im;
  // The same key on the retry after a refresh: one effect however often sent.
  if (opts.idempotent || opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey || newKey();

  // A token about to expire: refresh first rather than wait for the 401.
  if (accessToken && expiresAt - Date.now() < 15_000) {
    try {
      await refreshToken();
    } catch {
      /* the request below gets its 401 and reports it */
    }
  }

  let res;
  for (let attempt = 0; ; attempt++) {
    const h = { ...headers };
    if (accessToken) h.Authorization = `Bearer ${accessToken}`;
    try {
      res = await fetch(url, { method, headers: h, body, credentials: 'same-origin', signal: opts.signal });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw networkError(e);
    }
    if (res.status === 401 && attempt === 0) {
      try {
        await refreshToken();
      } catch (e) {
        throw e.status === 0 ? e : await problemOf(res);
      }
      continue;
    }
    break;
  }
  if (!res.ok) throw await problemOf(res);
  if (opts.as === 'response') return res;
  if (opts.as === 'blob') return res.blob();
  if (res.status === 204 || res.status === 205) return null;
  const text = await res.text();
  if (!text) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? JSON.parse(text) : text;
}

export const api = {
  /** GET → parsed JSON. */
  get(path, params, opts = {}) {
    return request('GET', path, { ...opts, params });
  },
  /** GET → {body, etag} (the `ETag` header, e.g. `"7"`). */
  async getWithEtag(path, params, opts = {}) {
    const res = await request('GET', path, { ...opts, params, as: 'response' });
    const etag = res.headers.get('ETag');
    const text = res.status === 204 ? '' : await res.text();
    return { body: text ? JSON.parse(text) : null, etag };
  },
  post(path, body, { ifMatch, idempotent, idempotencyKey, params, signal } = {}) {
    return request('POST', path, { body, ifMatch, idempotent, idempotencyKey, params, signal });
  },
  put(path, body, { ifMatch, params, signal } = {}) {
    return request('PUT', path, { body, ifMatch, params, signal });
  },
  patch(path, body, { ifMatch, params, signal } = {}) {
    return request('PATCH', path, { body, ifMatch, params, signal });
  },
  del(path, { ifMatch, params, signal } = {}) {
    return request('DELETE', path, { ifMatch, params, signal });
  },
  /** POST multipart/form-data (photos). */
  upload(path, formData, { ifMatch, idempotent, signal } = {}) {
    return request('POST', path, { body: formData, ifMatch, idempotent, signal });
  },
  /** GET a binary (a photo) with the token → an object URL (revoke it when done). */
  async blobUrl(path, params) {
    const blob = await request('GET', path, { params, as: 'blob' });
    return URL.createObjectURL(blob);
  },
  /** Every page of a cursor-paged list (`{items, next_cursor}`), concatenated. */
  async all(path, params = {}, { max = 5000 } = {}) {
    const items = [];
    let cursor;
    do {
      const page = await request('GET', path, { params: { limit: 500, ...params, cursor } });
      items.push(...(page.items || []));
      cursor = page.next_cursor;
    } while (cursor && items.length < max);
    return items;
  },
};

/** The problem's text to show a user: detail, else title. */
export function problemText(err) {
  if (!err) return '';
  if (err instanceof ApiError) return err.problem.detail || err.problem.title;
  return String(err.message || err);
}
