// Live changes of incidents from `GET /api/v1/events` (text/event-stream).
//
// EventSource cannot send `Authorization`, so this reads the stream with
// fetch: parses `id:`/`event:`/`data:` lines, resumes with `Last-Event-ID`
// after a drop (the server replays what was missed), reconnects with backoff,
// refreshes the token when the stream answers 401, and restarts a silent
// stream (the server sends a keep-alive every 15 s). It runs while the
// console is signed in.

import { useState, useEffect } from '../vendor/htm-preact.js';
import { token, refreshToken, onTokenChange } from './api.js';

const URL_EVENTS = '/api/v1/events';
const SILENCE_MS = 45_000;
const MAX_BACKOFF_MS = 30_000;

const eventListeners = new Set();
const stateListeners = new Set();
const resyncListeners = new Set();

let state = 'connecting';
let lastEventId = null;
let controller = null;
let running = false;
let generation = 0;
let attempt = 0;
let wasDown = false;
let wakeTimer = null;
let wake = null;

function setState(s) {
  if (s === state) return;
  state = s;
  for (const fn of stateListeners) fn(s);
}

/** `fn(IncidentStreamEvent)` for each change; returns an unsubscribe. */
export function onIncidentEvent(fn) {
  eventListeners.add(fn);
  return () => eventListeners.delete(fn);
}

/**
 * `fn()` when changes may have been missed (the stream came back without a
 * resume point): re-read what is on screen. Returns an unsubscribe.
 */
export function onResync(fn) {
  resyncListeners.add(fn);
  return () => resyncListeners.delete(fn);
}

/** `'connecting' | 'open' | 'down'` now. */
export function liveState() {
  return state;
}

/** Hook: the connection state, re-rendering on a change. */
export function useLiveState() {
  const [s, setS] = useState(state);
  useEffect(() => {
    if (s !== state) setS(state);
    stateListeners.add(setS);
    return () => stateListeners.delete(setS);
  }, []);
  return s;
}

function emit(type, data, id) {
  if (type !== 'incident' && type !== 'message') return;
  let ev;
  try {
    ev = JSON.parse(data);
  } catch {
    return;
  }
  if (!ev || typeof ev !== 'object') return;
  for (const fn of eventListeners) {
    try {
      fn(ev, id);
    } catch (e) {
      console.error('live listener failed', e);
    }
  }
}

function sleep(ms, gen) {
  return new Promise((resolve) => {
    wake = resolve;
    wakeTimer = setTimeout(resolve, ms);
  }).finally(() => {
    clearTimeout(wakeTimer);
    wake = null;
  });
}

function backoff() {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5));
  attempt++;
  return base / 2 + Math.random() * (base / 2);
}

/** Reads one connection until it ends. Returns why: 'ended' | 'unauthorized' | 'bad_id' | 'error'. */
async function connectOnce(gen) {
  controller = new AbortController();
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token()}` };
  if (lastEventId) headers['Last-Event-ID'] = lastEventId;
  let res;
  try {
    res = await fetch(URL_EVENTS, { headers, cache: 'no-store', credentials: 'same-origin', signal: controller.signal });
  } catch {
    return 'error';
  }
  if (res.status === 401) return 'unauthorized';
  if (res.status === 400) return 'bad_id';
  if (!res.ok || !res.body) return 'error';

  setState('open');
  attempt = 0;
  if (wasDown && !lastEventId) for (const fn of resyncListeners) fn();
  wasDown = false;

  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let data = [];
  let type = '';
  let id = null;
  let silence = setTimeout(() => controller && controller.abort(), SILENCE_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || gen !== generation) break;
      clearTimeout(silence);
      silence = setTimeout(() => controller && controller.abort(), SILENCE_MS);
      buf += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        // A lone \r at the end may be half of \r\n: wait for more.
        if (buf[nl] === '\r' && nl === buf.length - 1) break;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
        if (line === '') {
          if (id !== null) lastEventId = id;
          if (data.length) emit(type || 'message', data.join('\n'), lastEventId);
          data = [];
          type = '';
          id = null;
          continue;
        }
        if (line[0] === ':') continue; // comment, keep-alive
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val[0] === ' ') val = val.slice(1);
        if (field === 'data') data.push(val);
        else if (field === 'event') type = val;
        else if (field === 'id') {
          if (!val.includes('\0')) id = val;
        }
      }
    }
  } catch {
    /* aborted or dropped */
  } finally {
    clearTimeout(silence);
    reader.cancel().catch(() => {
      /* already closed */
    });
  }
  return 'ended';
}

async function run() {
  const gen = ++generation;
  running = true;
  attempt = 0;
  setState('connecting');
  while (gen === generation && token()) {
    const started = Date.now();
    const why = await connectOnce(gen);
    if (gen !== generation) break;
    if (why === 'unauthorized') {
      try {
        await refreshToken();
        continue;
      } catch (e) {
        if (e && e.sessionLost) break; // signed out: the shell shows sign-in
      }
    } else if (why === 'bad_id') {
      lastEventId = null;
      wasDown = true;
      continue;
    } else if (why === 'ended') {
      // The server ends the stream after one token lifetime: reconnect now.
      // (A stream that keeps ending at once gets the backoff.)
      setState('connecting');
      if (Date.now() - started > 5000) continue;
    }
    wasDown = true;
    setState('down');
    await sleep(backoff(), gen);
    if (gen === generation) setState('connecting');
  }
  if (gen === generation) running = false;
}

function stop() {
  generation++;
  running = false;
  if (controller) controller.abort();
  if (wake) wake();
  lastEventId = null;
  wasDown = false;
  setState('connecting');
}

/** Reconnects now (e.g. a "retry" button on the indicator). */
export function reconnect() {
  if (!token()) return;
  if (controller) controller.abort();
  if (wake) wake();
  if (!running) run();
}

onTokenChange((tok) => {
  if (tok && !running) run();
  else if (!tok && running) stop();
});
if (token()) run();

// Coming back online: do not wait for the backoff.
window.addEventListener('online', () => {
  if (state === 'down' && wake) wake();
});
