// Addresses of the console's screens. Every screen is a URL under /console/
// and keeps its filters in the query, so a view can be shared and survives a
// reload.
//
//   /console/, /console/queue?…      → queue
//   /console/cases/{id}?…            → case (beside the queue; same query)
//   /console/map?…                   → map
//   /console/report                  → report (hotline entry)
//   /console/notices                 → notices
//   /console/rules                   → rules
//   /console/signin                  → signin

import { html, useState, useEffect } from '../vendor/htm-preact.js';

export const ROOT = '/console';
const SCREENS = ['queue', 'map', 'report', 'notices', 'rules', 'signin'];
const listeners = new Set();

/** Parses an address (path + query) into `{screen, id, params, path, search}`. */
export function parseRoute(pathname, search) {
  let rest = pathname.startsWith(ROOT) ? pathname.slice(ROOT.length) : pathname;
  rest = rest.replace(/^\/+|\/+$/g, '');
  const segs = rest ? rest.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  }) : [];
  let screen = 'queue';
  let id = null;
  if (segs[0] === 'cases' && segs[1]) {
    screen = 'case';
    id = segs[1];
  } else if (segs.length && SCREENS.includes(segs[0])) {
    screen = segs[0];
  } else if (segs.length) {
    screen = 'notfound';
  }
  return { screen, id, params: new URLSearchParams(search), path: pathname, search };
}

let current = parseRoute(location.pathname, location.search);

function update() {
  const { pathname, search } = location;
  if (pathname === current.path && search === current.search) return;
  current = parseRoute(pathname, search);
  for (const fn of listeners) fn(current);
}

window.addEventListener('popstate', update);

/** The current route (a new object only when the address changed). */
export function route() {
  return current;
}

/** `fn(route)` after every change of address; returns an unsubscribe. */
export function onRouteChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Hook: `{screen, id, params}`, re-rendering when the address changes. */
export function useRoute() {
  const [r, setR] = useState(current);
  useEffect(() => {
    if (r !== current) setR(current);
    return onRouteChange(setR);
  }, []);
  return r;
}

/** Goes to `href` (`/console/cases/ID?tab=new`); `replace` keeps history short. */
export function navigate(href, { replace = false, state = null } = {}) {
  const url = new URL(href, location.href);
  if (url.origin !== location.origin) throw new Error(`navigate: foreign URL ${href}`);
  const target = url.pathname + url.search + url.hash;
  if (target === location.pathname + location.search + location.hash) return;
  if (replace) history.replaceState(state, '', target);
  else history.pushState(state, '', target);
  update();
}

/**
 * Merges `obj` into the current query: null/undefined/'' removes a key.
 * Replaces the history entry by default (filters are not "pages").
 */
export function setParams(obj, { replace = true } = {}) {
  const p = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) p.delete(k);
    else p.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = p.toString();
  navigate(location.pathname + (s ? `?${s}` : ''), { replace });
}

/** The href of a screen with a query (object or URLSearchParams). */
export function hrefOf(path, params) {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams();
  if (params && !(params instanceof URLSearchParams)) {
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') p.set(k, v);
  }
  const s = p.toString();
  return `${ROOT}${path}${s ? `?${s}` : ''}`;
}

function isPlainClick(e) {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && !e.defaultPrevented;
}

/** `<a>` that navigates inside the console; other props pass through. */
export function Link({ href, replace, children, onClick, ...rest }) {
  const click = (e) => {
    if (onClick) onClick(e);
    if (!isPlainClick(e) || rest.target) return;
    e.preventDefault();
    navigate(href, { replace });
  };
  return html`<a href=${href} onClick=${click} ...${rest}>${children}</a>`;
}
