// The signed-in user. The access token is kept by api.js (memory only); the
// session itself is the HttpOnly refresh cookie, so a reload restores it with
// one `POST /auth/refresh` before anything is shown.

import { useState, useEffect } from '../vendor/htm-preact.js';
import { api, login, logout, refreshToken, onSessionLost } from './api.js';

// status: 'restoring' (first load), 'signedout', 'signedin',
// 'expired' (was signed in, the session ended: sign in again in place),
// 'offline' (the server could not be reached while restoring).
let snapshot = { status: 'restoring', me: null, error: null };
const listeners = new Set();

function set(next) {
  snapshot = { ...snapshot, ...next };
  for (const fn of listeners) fn(snapshot);
}

/** The current `{status, me, error}`. */
export function session() {
  return snapshot;
}

/** Hook: `{status, me, error}`, re-rendering on every change. */
export function useSession() {
  const [s, setS] = useState(snapshot);
  useEffect(() => {
    if (s !== snapshot) setS(snapshot);
    listeners.add(setS);
    return () => listeners.delete(setS);
  }, []);
  return s;
}

/** Hook: the `GET /api/v1/me` body, or null when signed out. */
export function useMe() {
  return useSession().me;
}

/** The `GET /api/v1/me` body, synchronously (null when signed out). */
export function me() {
  return snapshot.me;
}

/** The caller's role grants (`[{id, role, area, party}]`). */
export function grants() {
  return (snapshot.me && snapshot.me.roles) || [];
}

/** Whether the caller holds `role` (`admin`, `dispatcher`, …). */
export function hasRole(role) {
  return grants().some((g) => g.role === role);
}

/** The area codes the caller holds `role` in (every role when omitted). */
export function areasOf(role) {
  return grants()
    .filter((g) => (!role || g.role === role) && g.area)
    .map((g) => g.area);
}

async function loadMe() {
  const body = await api.get('/me');
  set({ status: 'signedin', me: body, error: null });
  return body;
}

/** At start: restore the session from the refresh cookie, if any. */
export async function restore() {
  set({ status: 'restoring', error: null });
  try {
    await refreshToken({ quiet: true });
  } catch (e) {
    if (e.status === 0) set({ status: 'offline', error: e });
    else set({ status: 'signedout', me: null, error: null });
    return null;
  }
  try {
    return await loadMe();
  } catch (e) {
    if (e.status === 0) set({ status: 'offline', error: e });
    else set({ status: 'signedout', me: null, error: null });
    return null;
  }
}

/** Signs in with the refresh cookie; resolves to the `/me` body. Throws ApiError. */
export async function signIn(username, password) {
  await login(username, password);
  return loadMe();
}

/** Signs out (revokes the cookie session) and forgets the user. */
export async function signOut() {
  // Screens unmount first, so no read goes out on the session being ended.
  set({ status: 'signedout', me: null, error: null });
  await logout();
}

/** Re-reads `/me` (after a role change). */
export function reloadMe() {
  return loadMe();
}

onSessionLost(() => {
  if (snapshot.status === 'signedin') set({ status: 'expired' });
  else if (snapshot.status !== 'expired') set({ status: 'signedout', me: null });
});
