// Notices 通知公告: compose a notice to the residents and/or grid workers of an
// area, send it once (Idempotency-Key kept across retries of the same
// text), and show whom it reached. Also the small helpers the rules screen
// shares (area picker, dialog, problem box).
//
// API: POST /api/v1/notices (PostNotice → NoticeView), GET /api/v1/notices
// (the caller's notices, newest first; administrators: every notice; paged
// by `next_cursor`), GET /api/v1/notices/{id} (with `delivery` for its
// author and administrators). The notice shown is in the URL (`?id=`), so a
// notice can be linked to and back/forward walks them.

import { html, useState, useEffect, useRef, useMemo, useLayoutEffect } from '../vendor/htm-preact.js';
import { api, ApiError, problemText } from '../lib/api.js';
import { t, addStrings, fmtTime, fmtAge, useLocale, localName } from '../lib/i18n.js';
import { setParams, hrefOf, Link } from '../lib/router.js';
import { useMe } from '../lib/session.js';

// Lengths the server enforces (api/src/routes/notifications/notices.rs).
const TITLE_MAX = 60;
const BODY_MAX = 2000;
const AUDIENCES = ['residents', 'workers'];
const LEVELS = ['city', 'district', 'subdistrict', 'community', 'grid', 'micro_grid'];
const POLL_MS = 4000;

/** Characters as the server counts them (Unicode scalar values). */
export function charCount(s) {
  let n = 0;
  for (const _ of s || '') n++;
  return n;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (x) => x.toString(16).padStart(2, '0')).join('');
}

let uid = 0;
/** A stable id for label/aria wiring. */
export function useId(prefix) {
  return useMemo(() => `${prefix}-${++uid}`, []);
}

// ---------------------------------------------------------------- areas

const areaCache = new Map(); // code → Promise<AreaDetail>
let citiesPromise = null;

/** `GET /areas/{code}` (with ancestors and children), cached for the session. */
export function getArea(code) {
  let p = areaCache.get(code);
  if (!p) {
    p = api.get(`/areas/${encodeURIComponent(code)}`).catch((e) => {
      areaCache.delete(code);
      throw e;
    });
    areaCache.set(code, p);
  }
  return p;
}

function getCities() {
  if (!citiesPromise) {
    citiesPromise = api.all('/areas', { level: 'city' }).catch((e) => {
      citiesPromise = null;
      throw e;
    });
  }
  return citiesPromise;
}

/** Hook: `{code: AreaDetail}` for the codes given, filled in as they load. */
export function useAreas(codes) {
  const key = [...new Set((codes || []).filter(Boolean))].sort().join(',');
  const [map, setMap] = useState({});
  useEffect(() => {
    let alive = true;
    for (const c of key ? key.split(',') : []) {
      getArea(c).then(
        (a) => alive && setMap((m) => (m[c] ? m : { ...m, [c]: a })),
        () => alive && setMap((m) => (m[c] ? m : { ...m, [c]: { code: c, name: c, name_en: c, missing: true } })),
      );
    }
    return () => {
      alive = false;
    };
  }, [key]);
  return map;
}

/** An area's name in the current language, its code while unknown. */
export function areaLabel(map, code) {
  if (!code) return '';
  const a = map[code];
  return a ? localName(a) : code;
}

/**
 * Cascading selects from `roots` (area codes; null: every city) down the
 * tree. `value` is the deepest area chosen ('' for none); each lower select
 * starts with "the whole of <parent>". `anyLabel`: the first select offers
 * "no area" ('') under that label. `maxLevel`: levels below are not offered.
 */
export function AreaPicker({ legend, value, onChange, roots, anyLabel, maxLevel, error, hint, disabled }) {
  useLocale();
  const id = useId('areapick');
  const rootsKey = roots ? roots.join(',') : '*';
  const [rootItems, setRootItems] = useState(null);
  const [path, setPath] = useState([]);
  const [failure, setFailure] = useState(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let alive = true;
    setFailure(null);
    (roots ? Promise.all(roots.map(getArea)) : getCities()).then(
      (items) => alive && setRootItems(items),
      (e) => alive && setFailure(e),
    );
    return () => {
      alive = false;
    };
  }, [rootsKey, attempt]);

  useEffect(() => {
    if (!value) {
      setPath([]);
      return undefined;
    }
    if (!rootItems) return undefined;
    let alive = true;
    getArea(value)
      .then(async (d) => {
        const chain = [...(d.ancestors || []).map((a) => a.code), d.code];
        const rootCodes = rootItems.map((r) => r.code);
        let start = chain.findIndex((c) => rootCodes.includes(c));
        if (start < 0) start = 0;
        const details = await Promise.all(chain.slice(start).map(getArea));
        if (alive) setPath(details);
      })
      .catch((e) => alive && setFailure(e));
    return () => {
      alive = false;
    };
  }, [value, rootItems, attempt]);

  const maxIdx = maxLevel ? LEVELS.indexOf(maxLevel) : LEVELS.length - 1;
  const levelOk = (l) => LEVELS.indexOf(l) < 0 || LEVELS.indexOf(l) <= maxIdx;
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const described = [error ? errId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;

  let body;
  if (failure) {
    body = html`<${ErrorBox} error=${failure} onRetry=${() => setAttempt((n) => n + 1)} />`;
  } else if (!rootItems) {
    body = html`<span class="notices-muted" role="status">${t('common.loading')}</span>`;
  } else {
    const first = [...rootItems];
    if (path[0] && !first.some((r) => r.code === path[0].code)) first.unshift(path[0]);
    const selects = [
      {
        level: (first[0] && first[0].level) || 'city',
        options: first,
        value: (path[0] && path[0].code) || '',
        blank: anyLabel || (value ? null : t('notices.area.choose')),
        parent: null,
      },
    ];
    for (let i = 1; i <= path.length; i++) {
      const parent = path[i - 1];
      const kids = (parent.children || []).filter((c) => levelOk(c.level));
      if (!kids.length || !levelOk(parent.level) || LEVELS.indexOf(parent.level) >= maxIdx) break;
      selects.push({
        level: kids[0].level,
        options: kids,
        value: (path[i] && path[i].code) || '',
        blank: t('notices.area.whole', { name: localName(parent) }),
        parent,
      });
    }
    const change = (i, code) => {
      if (code) onChange(code);
      else onChange(i === 0 ? '' : selects[i].parent.code);
    };
    body = selects.map(
      (s, i) => html`<select
        key=${i}
        id=${i === 0 ? id : `${id}-${i}`}
        class="notices-areapicker-select"
        aria-label=${`${legend}: ${t(`notices.level.${s.level}`)}`}
        aria-invalid=${error ? 'true' : undefined}
        aria-describedby=${described}
        disabled=${disabled}
        value=${s.value}
        onChange=${(e) => change(i, e.currentTarget.value)}
      >
        ${s.blank !== null && html`<option value="">${s.blank}</option>`}
        ${s.options.map((o) => html`<option key=${o.code} value=${o.code}>${localName(o)}</option>`)}
      </select>`,
    );
  }
  return html`<fieldset class="notices-areapicker">
    <legend>${legend}</legend>
    <div class="notices-areapicker-row">${body}</div>
    ${hint && html`<p class="notices-hint" id=${hintId}>${hint}</p>`}
    ${error && html`<p class="notices-field-error" id=${errId}>${error}</p>`}
  </fieldset>`;
}

// ---------------------------------------------------------------- shared bits

/** `{field: message}` from a 422 problem (`location.coordinates[0]` → also `location`, unless `base: false`). */
export function fieldErrorsOf(err, { base = true } = {}) {
  const out = {};
  const list = (err && err.problem && err.problem.errors) || [];
  for (const e of list) {
    const keys = new Set(base ? [e.field, String(e.field).split(/[.[]/)[0]] : [e.field]);
    for (const k of keys) out[k] = out[k] ? `${out[k]}; ${e.message}` : e.message;
  }
  return out;
}

/** A problem to read: its detail (unless `hideDetail`: the children say it), a network failure in words; a retry button. */
export function ErrorBox({ error, onRetry, children, hideDetail }) {
  useLocale();
  if (!error) return null;
  const net = error instanceof ApiError && error.status === 0;
  return html`<div class="notices-error" role="alert">
    ${!hideDetail && html`<p>${net ? t('common.network_error') : problemText(error) || t('common.error')}</p>`}
    ${children}
    ${onRetry && html`<button type="button" class="btn" onClick=${onRetry}>${t('common.retry')}</button>`}
  </div>`;
}

/** A modal `<dialog>`: Escape or × closes (`onClose`); focus returns to where it was. */
export function Modal({ title, onClose, children, wide }) {
  useLocale();
  const ref = useRef(null);
  const titleId = useId('dlg');
  useLayoutEffect(() => {
    const d = ref.current;
    const before = document.activeElement;
    if (d && !d.open) d.showModal();
    return () => {
      if (d && d.open) d.close();
      if (before && typeof before.focus === 'function' && document.contains(before)) before.focus();
    };
  }, []);
  return html`<dialog
    ref=${ref}
    class=${`notices-dialog${wide ? ' notices-dialog-wide' : ''}`}
    aria-labelledby=${titleId}
    onCancel=${(e) => {
      e.preventDefault();
      onClose();
    }}
  >
    <div class="notices-dialog-head">
      <h2 id=${titleId}>${title}</h2>
      <button type="button" class="btn notices-dialog-x" aria-label=${t('common.close')} onClick=${onClose}>×</button>
    </div>
    <div class="notices-dialog-body">${children}</div>
  </dialog>`;
}

function audienceText(list) {
  const a = (list || []).filter((x) => AUDIENCES.includes(x));
  if (a.length === 2) return t('notices.audience.both');
  return a.map((x) => t(`notices.audience.${x}`)).join(t('notices.list_sep'));
}

const noticeCache = new Map(); // id → NoticeView (the latest read)
const PAGE = 20;

/** Remembers a notice read from a list, unless a fuller read is already known. */
function remember(view) {
  if (view && view.id && !noticeCache.has(view.id)) noticeCache.set(view.id, view);
}

// ---------------------------------------------------------------- screen

export function NoticesScreen({ route }) {
  useLocale();
  const me = useMe();
  const userId = me && me.id;
  const selected = route.params.get('id') || '';

  const roles = (me && me.roles) || [];
  const isAdmin = roles.some((g) => g.role === 'admin');
  const posting = [...new Set(roles.filter((g) => (g.role === 'dispatcher' || g.role === 'grid_chief') && g.area).map((g) => g.area))];
  // Admins post anywhere: the picker starts at the cities.
  const roots = isAdmin ? null : posting;
  const mayPost = isAdmin || posting.length > 0;
  const sent = useSentNotices(userId);

  const onSent = (view) => {
    noticeCache.set(view.id, view);
    sent.prepend(view);
    setParams({ id: view.id }, { replace: false });
  };

  return html`<div class="notices-screen">
    <section class="panel notices-compose" aria-labelledby="notices-compose-h">
      <h1 id="notices-compose-h" class="notices-h">${t('notices.compose.title')}</h1>
      ${!me
        ? html`<p class="notices-muted" role="status">${t('common.loading')}</p>`
        : mayPost
          ? html`<${ComposeForm} roots=${roots} onSent=${onSent} />`
          : html`<p class="notices-empty">${t('notices.compose.not_allowed')}</p>`}
    </section>
    <section class="panel notices-side" aria-labelledby="notices-sent-h">
      <h2 id="notices-sent-h" class="notices-h">${t('notices.sent.title')}</h2>
      <p class="notices-hint">${t(isAdmin ? 'notices.sent.hint_admin' : 'notices.sent.hint')}</p>
      <${SentList} sent=${sent} selected=${selected} />
      ${selected && html`<${NoticeDetail} key=${selected} id=${selected} />`}
    </section>
  </div>`;
}

/**
 * The caller's notices, newest first, a page at a time:
 * `{items, status: loading|ready|error, error, next, more(), moreBusy, moreError, reload(), prepend(view)}`.
 */
function useSentNotices(userId) {
  const [s, setS] = useState({ items: [], status: 'loading', error: null, next: null, moreBusy: false, moreError: null });
  const [attempt, setAttempt] = useState(0);
  const gen = useRef(0);
  useEffect(() => {
    if (!userId) return undefined;
    const g = ++gen.current;
    setS((x) => ({ ...x, status: 'loading', error: null, moreError: null }));
    api.get('/notices', { limit: PAGE }).then(
      (page) => {
        if (g !== gen.current) return;
        const items = page.items || [];
        items.forEach(remember);
        setS({ items, status: 'ready', error: null, next: page.next_cursor || null, moreBusy: false, moreError: null });
      },
      (error) => g === gen.current && setS((x) => ({ ...x, status: 'error', error })),
    );
    return () => {
      gen.current++;
    };
  }, [userId, attempt]);

  const more = () => {
    if (!s.next || s.moreBusy) return;
    const g = gen.current;
    const cursor = s.next;
    setS((x) => ({ ...x, moreBusy: true, moreError: null }));
    api.get('/notices', { limit: PAGE, cursor }).then(
      (page) => {
        if (g !== gen.current) return;
        const fresh = page.items || [];
        fresh.forEach(remember);
        setS((x) => {
          const seen = new Set(x.items.map((v) => v.id));
          return { ...x, items: [...x.items, ...fresh.filter((v) => !seen.has(v.id))], next: page.next_cursor || null, moreBusy: false };
        });
      },
      (moreError) => g === gen.current && setS((x) => ({ ...x, moreBusy: false, moreError })),
    );
  };
  const prepend = (view) => setS((x) => ({ ...x, items: [view, ...x.items.filter((v) => v.id !== view.id)] }));
  return { ...s, more, prepend, reload: () => setAttempt((n) => n + 1) };
}

// ---------------------------------------------------------------- compose

function ComposeForm({ roots, onSent }) {
  useLocale();
  const fid = useId('notice');
  const [area, setArea] = useState(roots && roots.length === 1 ? roots[0] : '');
  const [audience, setAudience] = useState({ residents: true, workers: false });
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState(null); // the NoticeView just sent
  // One key per text: a retry of the same notice reuses it, so a lost
  // answer never notifies a street twice; a changed text gets a new one.
  const keyRef = useRef({ sig: '', key: '' });
  const areas = useAreas([area]);
  const rootsKey = roots ? roots.join(',') : '*';
  useEffect(() => {
    if (roots && roots.length === 1 && !area) setArea(roots[0]);
  }, [rootsKey]);

  const request = () => ({
    area,
    audience: AUDIENCES.filter((a) => audience[a]),
    title: title.trim(),
    body: body.trim(),
  });

  const validate = () => {
    const r = request();
    const e = {};
    if (!r.area) e.area = t('notices.err.area');
    if (!r.audience.length) e.audience = t('notices.err.audience');
    const tl = charCount(r.title);
    if (tl < 1) e.title = t('notices.err.required');
    else if (tl > TITLE_MAX) e.title = t('notices.err.too_long', { max: TITLE_MAX, n: tl });
    const bl = charCount(r.body);
    if (bl < 1) e.body = t('notices.err.required');
    else if (bl > BODY_MAX) e.body = t('notices.err.too_long', { max: BODY_MAX, n: bl });
    return e;
  };

  const focusFirstError = (e) => {
    const order = ['area', 'audience', 'title', 'body'];
    const first = order.find((k) => e[k]);
    if (!first) return;
    const el =
      first === 'area'
        ? document.querySelector(`#${fid}-form .notices-areapicker select`)
        : document.getElementById(`${fid}-${first}`);
    if (el) el.focus();
  };

  const submit = (ev) => {
    ev.preventDefault();
    setFailure(null);
    setDone(null);
    const e = validate();
    setErrors(e);
    if (Object.keys(e).length) {
      focusFirstError(e);
      return;
    }
    setConfirming(true);
  };

  const send = async () => {
    const r = request();
    const sig = JSON.stringify(r);
    if (keyRef.current.sig !== sig) keyRef.current = { sig, key: newKey() };
    setSending(true);
    setFailure(null);
    try {
      const view = await api.post('/notices', r, { idempotencyKey: keyRef.current.key });
      keyRef.current = { sig: '', key: '' };
      setConfirming(false);
      setTitle('');
      setBody('');
      setErrors({});
      setDone(view);
      onSent(view);
    } catch (err) {
      setConfirming(false);
      const fe = err instanceof ApiError && err.status === 422 ? fieldErrorsOf(err) : {};
      const known = ['area', 'audience', 'title', 'body'].filter((k) => fe[k]);
      if (known.length) {
        const e = {};
        for (const k of known) e[k] = fe[k];
        setErrors(e);
        focusFirstError(e);
      } else {
        setFailure(err);
      }
    } finally {
      setSending(false);
    }
  };

  const tl = charCount(title.trim());
  const bl = charCount(body.trim());
  const r = request();
  const field = (name) => ({
    id: `${fid}-${name}`,
    'aria-invalid': errors[name] ? 'true' : undefined,
    'aria-describedby': `${fid}-${name}-count${errors[name] ? ` ${fid}-${name}-err` : ''}`,
  });

  return html`<form id=${`${fid}-form`} class="notices-form" onSubmit=${submit} noValidate>
    <${AreaPicker}
      legend=${t('notices.field.area')}
      value=${area}
      roots=${roots}
      onChange=${(v) => {
        setArea(v);
        setErrors((x) => ({ ...x, area: undefined }));
      }}
      hint=${t('notices.field.area_hint')}
      error=${errors.area}
    />
    <fieldset class="notices-audience" aria-describedby=${errors.audience ? `${fid}-audience-err` : undefined}>
      <legend>${t('notices.field.audience')}</legend>
      ${AUDIENCES.map(
        (a, i) => html`<label key=${a} class="notices-check">
          <input
            type="checkbox"
            id=${i === 0 ? `${fid}-audience` : undefined}
            checked=${audience[a]}
            onChange=${(e) => {
              const on = e.currentTarget.checked;
              setAudience((x) => ({ ...x, [a]: on }));
              setErrors((x) => ({ ...x, audience: undefined }));
            }}
          />
          ${t(`notices.audience.${a}`)}
        </label>`,
      )}
      ${errors.audience && html`<p class="notices-field-error" id=${`${fid}-audience-err`}>${errors.audience}</p>`}
    </fieldset>
    <div class="field notices-field">
      <label for=${`${fid}-title`}>${t('notices.field.title')}</label>
      <input
        type="text"
        ...${field('title')}
        value=${title}
        autocomplete="off"
        onInput=${(e) => {
          setTitle(e.currentTarget.value);
          if (errors.title) setErrors((x) => ({ ...x, title: undefined }));
        }}
      />
      <span id=${`${fid}-title-count`} class=${`notices-count${tl > TITLE_MAX ? ' is-over' : ''}`}
        >${t('notices.count', { n: tl, max: TITLE_MAX })}</span
      >
      ${errors.title && html`<p class="notices-field-error" id=${`${fid}-title-err`}>${errors.title}</p>`}
    </div>
    <div class="field notices-field">
      <label for=${`${fid}-body`}>${t('notices.field.body')}</label>
      <textarea
        ...${field('body')}
        rows="8"
        value=${body}
        onInput=${(e) => {
          setBody(e.currentTarget.value);
          if (errors.body) setErrors((x) => ({ ...x, body: undefined }));
        }}
      ></textarea>
      <span id=${`${fid}-body-count`} class=${`notices-count${bl > BODY_MAX ? ' is-over' : ''}`}
        >${t('notices.count', { n: bl, max: BODY_MAX })}</span
      >
      ${errors.body && html`<p class="notices-field-error" id=${`${fid}-body-err`}>${errors.body}</p>`}
    </div>
    <${ErrorBox} error=${failure} onRetry=${failure && (failure.status === 0 || failure.status === 409 || failure.status >= 500) ? send : null} />
    <div class="notices-actions">
      <button type="submit" class="btn btn-primary" disabled=${sending}>
        ${sending ? t('notices.sending') : t('notices.send')}
      </button>
      ${done &&
      html`<p class="notices-done" role="status">
        ${t('notices.sent_ok', { n: done.recipients })}
        ${' '}<${Link} href=${hrefOf('/notices', { id: done.id })}>${t('notices.show')}<//>
      </p>`}
    </div>
    ${confirming &&
    html`<${Modal} title=${t('notices.confirm.title')} onClose=${() => !sending && setConfirming(false)}>
      <p>${t('notices.confirm.to', { audience: audienceText(r.audience), area: areaLabel(areas, r.area) })}</p>
      <div class="notices-preview">
        <p class="notices-preview-title">${r.title}</p>
        <p class="notices-body-text">${r.body}</p>
      </div>
      <p class="notices-hint">${t('notices.confirm.once')}</p>
      <div class="notices-actions">
        <button type="button" class="btn btn-primary" autofocus disabled=${sending} onClick=${send}>
          ${sending ? t('notices.sending') : t('notices.confirm.send')}
        </button>
        <button type="button" class="btn" disabled=${sending} onClick=${() => setConfirming(false)}>
          ${t('common.cancel')}
        </button>
      </div>
    <//>`}
  </form>`;
}

// ---------------------------------------------------------------- sent list and detail

function useNotice(id, { poll = false } = {}) {
  const [state, setState] = useState(() => ({ view: noticeCache.get(id) || null, error: null, loading: !noticeCache.has(id) }));
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    api.get(`/notices/${encodeURIComponent(id)}`).then(
      (view) => {
        noticeCache.set(id, view);
        if (alive) setState({ view, error: null, loading: false });
      },
      (error) => alive && setState((s) => ({ view: s.view, error, loading: false })),
    );
    return () => {
      alive = false;
    };
  }, [id, tick]);
  // While pushes are still queued, read it again every few seconds.
  const delivery = deliveryOf(state.view);
  const pending = delivery ? delivery.pushes_pending : 0;
  useEffect(() => {
    if (!poll || !(pending > 0) || state.loading) return undefined;
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [poll, pending, state.loading, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

/** `view.delivery` (`{read, pushes_pending, pushes_sent, pushes_failed}`; for its author and administrators), else null. */
function deliveryOf(view) {
  const d = view && view.delivery;
  return d && typeof d === 'object' ? d : null;
}

/** `t(key)` with `{n}`, or its `.one` form for exactly one (both languages define it). */
function tn(key, n) {
  return t(n === 1 ? `${key}.one` : key, { n });
}

function SentList({ sent, selected }) {
  useLocale();
  if (sent.status === 'error' && !sent.items.length) return html`<${ErrorBox} error=${sent.error} onRetry=${sent.reload} />`;
  if (sent.status === 'loading' && !sent.items.length) return html`<p class="notices-muted" role="status">${t('common.loading')}</p>`;
  if (!sent.items.length) return html`<p class="notices-empty">${t('notices.sent.empty')}</p>`;
  return html`<ul class="notices-list">
      ${sent.items.map((view) => html`<${SentItem} key=${view.id} view=${view} current=${view.id === selected} />`)}
    </ul>
    ${sent.moreError && html`<${ErrorBox} error=${sent.moreError} onRetry=${sent.more} />`}
    ${sent.next &&
    !sent.moreError &&
    html`<div class="notices-more">
      <button type="button" class="btn" onClick=${sent.more} aria-disabled=${sent.moreBusy ? 'true' : undefined}>
        ${sent.moreBusy ? t('common.loading') : t('notices.sent.more')}
      </button>
    </div>`}`;
}

function SentItem({ view, current }) {
  const areas = useAreas([view.area]);
  return html`<li class=${`notices-item${current ? ' is-current' : ''}`}>
    <${Link} href=${hrefOf('/notices', { id: view.id })} aria-current=${current ? 'true' : undefined} class="notices-item-link">
      <span class="notices-item-title">${view.title}</span>
      <span class="notices-item-meta">${[
        areaLabel(areas, view.area),
        audienceText(view.audience),
        fmtTime(view.created_at),
        t('notices.reached_short', { n: view.recipients }),
      ].join(' · ')}</span>
    <//>
  </li>`;
}

/** "Reached 12 people · read by 5 · pushed to 8 people’s phones · 2 waiting · 1 failed". */
function DeliveryLine({ view }) {
  const d = deliveryOf(view);
  const parts = [{ k: 'reached', text: tn('notices.delivery.reached', view.recipients) }];
  if (d) {
    parts.push(
      { k: 'read', text: t('notices.delivery.read', { n: d.read }) },
      { k: 'pushed', text: tn('notices.delivery.pushed', d.pushes_sent) },
      { k: 'pending', text: t('notices.delivery.pending', { n: d.pushes_pending }), hot: d.pushes_pending > 0 },
      { k: 'failed', text: t('notices.delivery.failed', { n: d.pushes_failed }), hot: d.pushes_failed > 0 },
    );
  }
  return html`<ul class="notices-delivery">
    ${parts.map((p) => html`<li key=${p.k} class=${`notices-delivery-${p.k}${p.hot ? ' is-hot' : ''}`}>${p.text}</li>`)}
  </ul>`;
}

function NoticeDetail({ id }) {
  useLocale();
  const me = useMe();
  const { view, error, loading, reload } = useNotice(id, { poll: true });
  const areas = useAreas(view ? [view.area] : []);
  const hid = useId('notice-detail');
  const other = view && me && view.author_id !== me.id ? view.author_id : null;
  const [author, setAuthor] = useState(null);
  useEffect(() => {
    if (!other) return undefined;
    let alive = true;
    // Administrators read users; anyone else keeps the id.
    api.get(`/users/${encodeURIComponent(other)}`).then((u) => alive && setAuthor(u.display_name || u.username), () => {});
    return () => {
      alive = false;
    };
  }, [other]);
  if (!view) {
    if (error) {
      const gone = error instanceof ApiError && (error.status === 404 || error.status === 403);
      return html`<article class="notices-detail" aria-labelledby=${hid}>
        <h3 id=${hid} class="notices-h">${t('notices.detail.title')}</h3>
        ${gone
          ? html`<p class="notices-empty" role="alert">${t('notices.detail.gone')}</p>`
          : html`<${ErrorBox} error=${error} onRetry=${reload} />`}
      </article>`;
    }
    return html`<p class="notices-muted" role="status">${t('common.loading')}</p>`;
  }
  const d = deliveryOf(view);
  return html`<article class="notices-detail" aria-labelledby=${hid}>
    <div class="notices-detail-head">
      <h3 id=${hid} class="notices-detail-title">${view.title}</h3>
      <button type="button" class="btn" onClick=${() => !loading && reload()} aria-disabled=${loading ? 'true' : undefined}>
        ${t('notices.refresh')}
      </button>
    </div>
    <dl class="notices-meta">
      <dt>${t('notices.field.area')}</dt><dd>${areaLabel(areas, view.area)} <span class="notices-code">${view.area}</span></dd>
      <dt>${t('notices.field.audience')}</dt><dd>${audienceText(view.audience)}</dd>
      <dt>${t('notices.detail.sent_at')}</dt><dd>${fmtTime(view.created_at)} <span class="notices-muted">(${fmtAge(view.created_at)})</span></dd>
      ${other && html`<dt>${t('notices.detail.author')}</dt><dd>${author || html`<span class="notices-code">${other}</span>`}</dd>`}
    </dl>
    <section class="notices-reach" aria-label=${t('notices.detail.reach')}>
      <${DeliveryLine} view=${view} />
      <p class="notices-hint">
        ${view.recipients === 0 ? t('notices.detail.nobody') : t('notices.detail.reach_note')}
        ${d && view.recipients > 0 ? ` ${t('notices.detail.delivery_note')}` : ''}
        ${d && d.pushes_pending > 0 ? ` ${t('notices.detail.polling')}` : ''}
      </p>
    </section>
    ${error && html`<${ErrorBox} error=${error} onRetry=${reload} />`}
    <div class="notices-body-text notices-detail-body">${view.body}</div>
  </article>`;
}

// ---------------------------------------------------------------- strings

addStrings({
  'zh-CN': {
    'notices.compose.title': '发布通知',
    'notices.compose.not_allowed': '只有调度员和网格长可以向其负责的区域发布通知。',
    'notices.sent.title': '已发通知',
    'notices.sent.hint': '你发出的通知，最新的在前。',
    'notices.sent.hint_admin': '所有人发出的通知，最新的在前。',
    'notices.sent.more': '更早的通知',
    'notices.sent.empty': '还没有发出通知。',
    'notices.field.area': '发送区域',
    'notices.field.area_hint': '该区域及其下级区域内登记的人都会收到。',
    'notices.field.audience': '发送对象',
    'notices.field.title': '标题',
    'notices.field.body': '正文',
    'notices.audience.residents': '居民',
    'notices.audience.workers': '网格员',
    'notices.audience.both': '居民和网格员',
    'notices.list_sep': '、',
    'notices.area.choose': '请选择…',
    'notices.area.whole': '{name}（全部）',
    'notices.level.city': '市',
    'notices.level.district': '区县',
    'notices.level.subdistrict': '街道/镇',
    'notices.level.community': '社区/村',
    'notices.level.grid': '网格',
    'notices.level.micro_grid': '微网格',
    'notices.count': '{n}/{max} 字',
    'notices.err.area': '请选择发送区域。',
    'notices.err.audience': '请至少选择一类发送对象。',
    'notices.err.required': '必填。',
    'notices.err.too_long': '最多 {max} 字（现在 {n} 字）。',
    'notices.send': '发送…',
    'notices.sending': '正在发送…',
    'notices.sent_ok': '已发送，送达 {n} 人。',
    'notices.show': '查看',
    'notices.confirm.title': '确认发送通知',
    'notices.confirm.to': '发送给 {area} 的{audience}：',
    'notices.confirm.once': '发出后无法撤回；通知会进入他们的消息中心并推送到手机。',
    'notices.confirm.send': '确认发送',
    'notices.reached_short': '送达 {n} 人',
    'notices.refresh': '刷新',
    'notices.detail.title': '通知',
    'notices.detail.gone': '找不到这条通知，或你无权查看。',
    'notices.detail.sent_at': '发送时间',
    'notices.detail.author': '发送人',
    'notices.detail.reach': '送达情况',
    'notices.delivery.reached': '送达 {n} 人',
    'notices.delivery.reached.one': '送达 1 人',
    'notices.delivery.read': '{n} 人已读',
    'notices.delivery.pushed': '已推送到 {n} 人的手机',
    'notices.delivery.pushed.one': '已推送到 1 人的手机',
    'notices.delivery.pending': '{n} 人待推送',
    'notices.delivery.failed': '{n} 人推送失败',
    'notices.detail.reach_note': '送达人数为发送时该区域（含下级区域）内所选对象的登记人数（不含发送人），通知已进入他们的消息中心。',
    'notices.detail.delivery_note': '“已读”指在消息中心打开过它的人；登记了手机的人每人推送一次（发往其所有手机），推送多次重试仍未成功即为失败。',
    'notices.detail.nobody': '该区域内没有登记的所选对象，没有人收到这条通知。',
    'notices.detail.polling': '正在推送，每隔几秒自动刷新。',
  },
  en: {
    'notices.compose.title': 'Post a notice',
    'notices.compose.not_allowed': 'Only dispatchers and grid chiefs post notices, to the areas they serve.',
    'notices.sent.title': 'Sent notices',
    'notices.sent.hint': 'The notices you sent, newest first.',
    'notices.sent.hint_admin': 'Everyone’s notices, newest first.',
    'notices.sent.more': 'Older notices',
    'notices.sent.empty': 'No notice sent yet.',
    'notices.field.area': 'Area',
    'notices.field.area_hint': 'Everyone registered in this area or below it is reached.',
    'notices.field.audience': 'Send to',
    'notices.field.title': 'Title',
    'notices.field.body': 'Text',
    'notices.audience.residents': 'Residents',
    'notices.audience.workers': 'Grid workers',
    'notices.audience.both': 'residents and grid workers',
    'notices.list_sep': ', ',
    'notices.area.choose': 'Choose…',
    'notices.area.whole': 'All of {name}',
    'notices.level.city': 'city',
    'notices.level.district': 'district',
    'notices.level.subdistrict': 'subdistrict',
    'notices.level.community': 'community',
    'notices.level.grid': 'grid',
    'notices.level.micro_grid': 'micro-grid',
    'notices.count': '{n}/{max} characters',
    'notices.err.area': 'Choose the area.',
    'notices.err.audience': 'Choose residents, grid workers or both.',
    'notices.err.required': 'Required.',
    'notices.err.too_long': 'At most {max} characters (now {n}).',
    'notices.send': 'Send…',
    'notices.sending': 'Sending…',
    'notices.sent_ok': 'Sent: {n} people reached.',
    'notices.show': 'Show',
    'notices.confirm.title': 'Send this notice?',
    'notices.confirm.to': 'To the {audience} of {area}:',
    'notices.confirm.once': 'A notice cannot be taken back: it lands in their inbox and on their phones.',
    'notices.confirm.send': 'Send',
    'notices.reached_short': '{n} reached',
    'notices.refresh': 'Refresh',
    'notices.detail.title': 'Notice',
    'notices.detail.gone': 'No such notice, or it is not for you.',
    'notices.detail.sent_at': 'Sent',
    'notices.detail.author': 'Author',
    'notices.detail.reach': 'Who it reached',
    'notices.delivery.reached': 'Reached {n} people',
    'notices.delivery.reached.one': 'Reached 1 person',
    'notices.delivery.read': 'read by {n}',
    'notices.delivery.pushed': 'pushed to {n} people’s phones',
    'notices.delivery.pushed.one': 'pushed to 1 person’s phone',
    'notices.delivery.pending': '{n} waiting',
    'notices.delivery.failed': '{n} failed',
    'notices.detail.reach_note': 'Counted when sent: everyone of the chosen audience registered in the area or below it (the author excepted). It is in their inbox.',
    'notices.detail.delivery_note': 'Read: opened in their inbox. Everyone with a registered phone gets one push (to all their phones); a push fails when it is given up after its retries.',
    'notices.detail.nobody': 'Nobody of the chosen audience is registered in this area: the notice reached no one.',
    'notices.detail.polling': 'Pushing: refreshed every few seconds.',
  },
});
