// A small client of the gridops REST API for the tests and the measurement:
// sign-in, residents, reports and lifecycle steps, straight from Node (no
// browser). Everything here is public API (`openapi.yaml`).

import { randomUUID } from 'node:crypto';

export const DEMO_PASSWORD = 'gridops-demo';
/** Guanlan community (观澜社区) and its grid 2, in dispatcher.hanghaixilu's area. */
export const GUANLAN_COMMUNITY = '410102003001';
export const GUANLAN_GRID = '410102003001002';
/** The demo's heating company of Zhongyuan district (handler.heating's party). */
export const HEATING_PARTY = 'zy-heating';
export const HEATING = 'utilities.heating';
/** The routing rule the suite adds (global-setup.mjs): heating reports of grid 2 wait for triage. */
export const TRIAGE_RULE_NAME = 'console tests: heating in Guanlan grid 2 waits for triage';

// Grid 2 of Guanlan is the box 113.606–113.6080765 E, 34.718–34.719447 N
// (`GET /api/v1/areas/410102003001002/geometry`); points well inside it.
const GRID_BOX = { w: 113.6062, e: 113.6079, s: 34.7182, n: 34.7193 };

/** A point inside Guanlan grid 2 (GeoJSON), random unless `at` (0..1, 0..1) is given. */
export function pointInGrid(at) {
  const [fx, fy] = at || [Math.random(), Math.random()];
  return {
    type: 'Point',
    coordinates: [GRID_BOX.w + fx * (GRID_BOX.e - GRID_BOX.w), GRID_BOX.s + fy * (GRID_BOX.n - GRID_BOX.s)],
  };
}

/** A short unique word to find a test's own cases with the queue's text search. */
export function uniqueWord(prefix = 'pw') {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

export class ApiFailure extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} → ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

export class Api {
  constructor(baseURL) {
    this.base = baseURL.replace(/\/+$/, '');
  }

  /** `{status, body, etag}` without throwing. */
  async raw(method, path, { token, body, headers = {} } = {}) {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, etag: res.headers.get('etag') };
  }

  /** The body of a 2xx answer; throws ApiFailure otherwise. */
  async call(method, path, opts = {}) {
    const r = await this.raw(method, path, opts);
    if (r.status < 200 || r.status > 299) throw new ApiFailure(method, path, r.status, r.body);
    return r.body;
  }

  /** An access token for `username` (a plain API login, no cookie). */
  async login(username, password = DEMO_PASSWORD) {
    const body = await this.call('POST', '/auth/login', { body: { username, password } });
    return body.access_token;
  }

  /** Registers a new resident of Guanlan and signs them in: `{username, token, id}`. */
  async resident(prefix = 'res') {
    const username = `${prefix}.${uniqueWord('')}`;
    const password = `${DEMO_PASSWORD}-resident`;
    const user = await this.call('POST', '/auth/register', {
      body: { username, password, community: GUANLAN_COMMUNITY, display_name: `Resident ${username}` },
    });
    return { username, id: user.id, token: await this.login(username, password) };
  }

  /** Reports an incident as `token`; the new IncidentView. */
  async report(token, { category = HEATING, description, location = pointInGrid(), address, priority } = {}) {
    const body = { category, description, location };
    if (address) body.address = address;
    if (priority) body.priority = priority;
    return this.call('POST', '/incidents', { token, body, headers: { 'Idempotency-Key': randomUUID() } });
  }

  async incident(token, id) {
    return this.call('GET', `/incidents/${encodeURIComponent(id)}`, { token });
  }

  /**
   * Takes the step `action` as `token` with the current version as If-Match
   * (or `ifMatch` when given); the updated IncidentView.
   */
  async step(token, id, action, body = {}, { ifMatch } = {}) {
    let version = ifMatch;
    if (version === undefined) version = (await this.incident(token, id)).version;
    return this.call('POST', `/incidents/${encodeURIComponent(id)}/${action}`, {
      token,
      body,
      headers: { 'If-Match': `"${version}"` },
    });
  }

  /** Adds the suite's triage rule unless it is there (idempotent; an admin's token). */
  async ensureTriageRule(adminToken) {
    const page = await this.call('GET', '/routing-rules?limit=500', { token: adminToken });
    const items = Array.isArray(page) ? page : page.items || [];
    if (items.some((r) => r.name === TRIAGE_RULE_NAME)) return;
    const r = await this.raw('POST', '/routing-rules', {
      token: adminToken,
      body: {
        name: TRIAGE_RULE_NAME,
        category: HEATING,
        area: GUANLAN_GRID,
        target: { kind: 'party_of_kind', party_kind: 'heating_company' },
        assists: [],
        mode: 'triage',
      },
    });
    if (r.status === 201) return;
    // Another process may have added it at the same moment.
    const again = await this.call('GET', '/routing-rules?limit=500', { token: adminToken });
    if (!(Array.isArray(again) ? again : again.items || []).some((x) => x.name === TRIAGE_RULE_NAME)) {
      throw new ApiFailure('POST', '/routing-rules', r.status, r.body);
    }
  }
}
