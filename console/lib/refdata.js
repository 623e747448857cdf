// Reference data the screens share, loaded once and cached: the area tree
// above grids (districts, subdistricts, communities), the grids of a
// community (on demand), and the responsible parties.

import { api } from './api.js';
import { localName } from './i18n.js';

const areas = new Map(); // code → AreaItem
const gridsLoaded = new Map(); // community code → Promise
const listeners = new Set();
let upperLoading = null;
let version = 0;

function changed() {
  version++;
  for (const fn of listeners) fn(version);
}

/** `fn(version)` whenever more reference data arrived; returns an unsubscribe. */
export function onRefData(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** A number that grows with every arrival (for memo keys). */
export function refVersion() {
  return version;
}

function remember(items) {
  for (const a of items) areas.set(a.code, a);
}

/** Loads cities, districts, subdistricts and communities (every page, once). */
export function loadUpperAreas() {
  if (!upperLoading) {
    upperLoading = Promise.all(
      ['city', 'district', 'subdistrict', 'community'].map((level) => api.all('/areas', { level }, { max: 20000 })),
    )
      .then((lists) => {
        for (const l of lists) remember(l);
        changed();
        return areas;
      })
      .catch((e) => {
        upperLoading = null;
        throw e;
      });
  }
  return upperLoading;
}

/** Loads the grids of a community (once); resolves to them. */
export function loadGridsOf(community) {
  if (!community) return Promise.resolve([]);
  if (!gridsLoaded.has(community)) {
    const p = api
      .all('/areas', { parent: community })
      .then((items) => {
        remember(items);
        changed();
        return items;
      })
      .catch((e) => {
        gridsLoaded.delete(community);
        throw e;
      });
    gridsLoaded.set(community, p);
  }
  return gridsLoaded.get(community);
}

/** The community code of a grid (its parent when known, else the 12-digit prefix). */
export function communityOf(gridCode) {
  const a = areas.get(gridCode);
  if (a && a.parent_code) return a.parent_code;
  return gridCode && gridCode.length >= 15 ? gridCode.slice(0, 12) : null;
}

/** Loads the grids of the communities of these grid codes (for their names). */
export function ensureGrids(gridCodes) {
  const communities = new Set();
  for (const g of gridCodes) if (g && !areas.has(g)) communities.add(communityOf(g));
  return Promise.allSettled([...communities].filter(Boolean).map(loadGridsOf));
}

export function area(code) {
  return areas.get(code) || null;
}

/** The area's name in the current language; its code when unknown. */
export function areaName(code) {
  const a = areas.get(code);
  return a ? localName(a) : code || '';
}

/** Children known so far of an area, in code order. */
export function childrenOf(code) {
  const out = [];
  for (const a of areas.values()) if (a.parent_code === code) out.push(a);
  return out.sort((x, y) => (x.code < y.code ? -1 : 1));
}

/** Whether `code` is `root` or below it (as far as the tree is known). */
export function isWithin(code, root) {
  if (!code || !root) return false;
  let c = code;
  for (let i = 0; c && i < 8; i++) {
    if (c === root) return true;
    const a = areas.get(c);
    if (!a) break;
    c = a.parent_code;
  }
  // Not known (yet): below a district, codes extend their parent's by 3 digits.
  return root.length >= 9 && code.length > root.length && code.startsWith(root);
}

/**
 * The known areas under `roots` (codes; all when empty), down to communities,
 * depth-first in code order: `[{item, depth}]`.
 */
export function subtree(roots) {
  const out = [];
  const visit = (a, depth) => {
    out.push({ item: a, depth });
    if (a.level === 'community' || a.level === 'grid') return;
    for (const c of childrenOf(a.code)) if (c.level !== 'grid' && c.level !== 'micro_grid') visit(c, depth + 1);
  };
  let tops = roots && roots.length ? roots.map((c) => areas.get(c)).filter(Boolean) : [...areas.values()].filter((a) => !a.parent_code);
  // Drop a root that lies under another root.
  tops = tops.filter((a) => !tops.some((b) => b !== a && isWithin(a.code, b.code)));
  tops.sort((x, y) => (x.code < y.code ? -1 : 1));
  for (const top of tops) visit(top, 0);
  return out;
}

// ---- parties ----

const parties = new Map(); // code → PartyItem
const partyLists = new Map(); // area key → Promise<PartyItem[]>

/** Parties serving `area` (and the areas above it); all parties without one. */
export function loadParties(areaCode) {
  const key = areaCode || '*';
  if (!partyLists.has(key)) {
    const p = api
      .all('/parties', areaCode ? { area: areaCode } : {})
      .then((items) => {
        for (const it of items) parties.set(it.code, it);
        changed();
        return items;
      })
      .catch((e) => {
        partyLists.delete(key);
        throw e;
      });
    partyLists.set(key, p);
  }
  return partyLists.get(key);
}

let allParties = null;

/** Every party (names for any code a case may carry), once. */
export function loadAllParties() {
  if (!allParties) {
    allParties = api
      .all('/parties', {}, { max: 20000 })
      .then((items) => {
        for (const it of items) parties.set(it.code, it);
        changed();
        return items;
      })
      .catch((e) => {
        allParties = null;
        throw e;
      });
  }
  return allParties;
}

/**
 * The parties working in `roots` (area codes; every party when empty): those
 * serving one of them, an area above one, or an area inside one.
 */
export function partiesWithin(list, roots) {
  if (!roots || !roots.length) return list;
  return list.filter((p) => (p.areas || []).some((a) => roots.some((r) => isWithin(a, r) || isWithin(r, a))));
}

export function party(code) {
  return parties.get(code) || null;
}

/** The party's name in the current language; its code when unknown. */
export function partyName(code) {
  const p = parties.get(code);
  return p ? localName(p) : code || '';
}
