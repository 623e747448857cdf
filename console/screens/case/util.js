// Small shared pieces of the case view: name caches (parties, areas, users),
// problem helpers, the console config. Module-level caches live for the page.
import { useState, useEffect } from '../../vendor/htm-preact.js';
import { api, ApiError } from '../../lib/api.js';
import { t, locale, priorityLabel as sharedPriority, sourceLabel as sharedSource } from '../../lib/i18n.js';
import { me } from '../../lib/session.js';
import { onRefData, party as refParty } from '../../lib/refdata.js';

// ---- a tiny change signal for the caches -------------------------------
const listeners = new Set();
let bumpQueued = false;
function bump() {
  if (bumpQueued) return;
  bumpQueued = true;
  queueMicrotask(() => {
    bumpQueued = false;
    for (const fn of [...listeners]) fn();
  });
}
/** Re-renders the caller when a name cache learns something. */
export function useNames() {
  const [, set] = useState(0);
  useEffect(() => {
    const fn = () => set((n) => n + 1);
    listeners.add(fn);
    const offRef = onRefData(fn);
    return () => {
      listeners.delete(fn);
      offRef();
    };
  }, []);
}

// ---- parties -----------------------------------------------------------
const parties = new Map(); // code → PartyItem
let partiesLoading = null;
/** Loads every party once (a few pages of 500 at most). */
export function loadParties() {
  if (!partiesLoading) {
    partiesLoading = (async () => {
      let cursor;
      for (let page = 0; page < 10; page++) {
        const body = await api.get('/parties', { limit: 500, cursor });
        for (const p of body.items || []) parties.set(p.code, p);
        cursor = body.next_cursor;
        if (!cursor) break;
      }
      bump();
    })().catch((e) => {
      partiesLoading = null;
      throw e;
    });
  }
  return partiesLoading;
}
export function rememberParties(items) {
  for (const p of items || []) parties.set(p.code, p);
  bump();
}
export function partyName(code) {
  if (!code) return '';
  const p = parties.get(code) || refParty(code);
  if (!p) {
    loadParties().catch(() => {});
    return code;
  }
  return locale() === 'en' ? p.name_en || p.name : p.name || p.name_en;
}
export function partyItem(code) {
  return parties.get(code) || refParty(code);
}

// ---- areas -------------------------------------------------------------
const areas = new Map(); // code → {name, name_en} | null (failed)
const areaLoading = new Map();
export function rememberArea(code, item) {
  if (code && item) {
    areas.set(code, item);
    bump();
  }
}
export function areaName(code) {
  if (!code) return '';
  const a = areas.get(code);
  if (a === undefined && !areaLoading.has(code)) {
    areaLoading.set(
      code,
      api
        .get(`/areas/${encodeURIComponent(code)}`)
        .then((d) => {
          areas.set(code, d);
          for (const anc of d.ancestors || []) if (!areas.has(anc.code)) areas.set(anc.code, anc);
          bump();
        })
        .catch(() => areas.set(code, null)),
    );
  }
  if (!a) return code;
  return locale() === 'en' ? a.name_en || a.name : a.name || a.name_en;
}

// ---- users (for names beside ids) -------------------------------------
// The timeline names its staff actors itself (`actor_name`, see
// timeline.js). Clock requests, the assignee and the handler picker carry
// only user ids: a dispatcher or administrator may list the accounts of
// their area (phones masked, nothing audited); the timeline, the reporter
// endpoint and routing decisions name a few more.
/** The actor id of steps taken by gridops itself (`SYSTEM_ACTOR` in domain/src/incident/routed.rs). */
export const SYSTEM_ACTOR = 'system';
const users = new Map(); // id → display name
let usersLoading = null;
const userRoles = new Map(); // id → roles (from the list)
function mayListUsers() {
  const m = me();
  return !!m && (m.roles || []).some((r) => r.role === 'dispatcher' || r.role === 'admin');
}
export function loadUsers() {
  if (!usersLoading) {
    usersLoading = (async () => {
      if (!mayListUsers()) return;
      let cursor;
      for (let page = 0; page < 4; page++) {
        const body = await api.get('/users', { limit: 500, cursor });
        for (const u of body.items || []) {
          users.set(u.id, u.display_name || u.username);
          userRoles.set(u.id, u.roles || []);
        }
        cursor = body.next_cursor;
        if (!cursor) break;
      }
      bump();
    })().catch(() => {});
  }
  return usersLoading;
}
export function rememberUser(id, name) {
  if (id && name && users.get(id) !== name) {
    users.set(id, name);
    bump();
  }
}
export function userName(id) {
  if (!id) return '';
  if (id === SYSTEM_ACTOR) return t('case.system');
  const m = me();
  const self = m && (m.user?.id === id || m.id === id);
  const name = users.get(id);
  if (name) return self ? t('case.self', { name }) : name;
  if (self) return m.user?.display_name || m.display_name || t('case.you');
  loadUsers();
  return t('case.user', { id: id.slice(-6) });
}
/** Handlers of `party` known from the user list (for the assignee picker). */
export function handlersOf(party) {
  const out = [];
  for (const [id, roles] of userRoles) {
    if (roles.some((r) => r.role === 'handler' && r.party === party)) out.push({ id, name: users.get(id) });
  }
  out.sort((a, b) => (a.name || '').localeCompare(b.name || ''));
  return out;
}

// ---- roles of the signed-in user --------------------------------------
export function hasRole(...names) {
  const m = me();
  return !!m && (m.roles || []).some((r) => names.includes(r.role));
}

// ---- console config (basemap) -----------------------------------------
let configPromise = null;
export function consoleConfig() {
  if (!configPromise) {
    configPromise = fetch('/console/config.json', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}));
  }
  return configPromise;
}

// ---- problems ----------------------------------------------------------
export function problemDetail(err) {
  if (err instanceof ApiError || (err && typeof err.status === 'number')) {
    if (err.status === 0) return t('case.networkError');
    const p = err.problem || {};
    return p.detail || p.title || err.message || String(err.status);
  }
  return (err && err.message) || String(err);
}
export function isNetwork(err) {
  return !!err && err.status === 0;
}
/** `{field: message}` from a 422 problem; `_` collects the unmatched ones. */
export function fieldErrors(err, known) {
  const out = {};
  const list = (err && err.problem && err.problem.errors) || [];
  for (const e of list) {
    const root = String(e.field || '').split(/[.[]/)[0];
    const key = known.includes(root) ? root : '_';
    out[key] = out[key] ? `${out[key]}；${e.message}` : e.message;
  }
  return out;
}

/** API path (relative to /api/v1) from an absolute URL the API returned. */
export function apiPath(url) {
  return String(url || '').replace(/^https?:\/\/[^/]+/, '').replace(/^\/api\/v1/, '');
}

/** The `If-Match` value for a version: the ETag as the API writes it. */
export function etagOf(version) {
  return `"${version}"`;
}

export function priorityLabel(p) {
  const s = sharedPriority(p);
  return s === `priority.${p}` ? p : s;
}
export function sourceLabel(s) {
  const v = sharedSource(s);
  return v === `source.${s}` ? s : v;
}
export function actionLabel(a) {
  const k = `case.action.${a}`;
  const v = t(k);
  return v === k ? a : v;
}
export function unitText(amount) {
  if (!amount) return '';
  const k = `case.unit.${amount.unit}`;
  const v = t(k, { n: amount.amount });
  return v === k ? `${amount.amount} ${amount.unit}` : v;
}

let seq = 0;
export function uid(prefix = 'c') {
  seq += 1;
  return `${prefix}-${seq}`;
}
