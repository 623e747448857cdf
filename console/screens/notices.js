// Notices 通知公告: compose a notice to the residents and/or grid workers of an
// area, send it once (Idempotency-Key kept across retries of the same
// text), and show whom it reached. Also the small helpers the rules screen
// shares (area picker, dialog, problem box).
//
// API: POST /api/v1/notices (PostNotice → NoticeView), GET /api/v1/notices/{id}.
// There is no list of notices in the API: the ones sent from this browser
// tab are remembered in sessionStorage (ids only) and the one shown is in
// the URL (`?id=`), so a notice can be linked to and back/forward walks them.

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

// ---------------------------------------------------------------- sent in this tab

function sentKey(userId) {
  return `gridops.notices.sent.${userId || 'anon'}`;
}
function loadSent(userId) {
  try {
    const v = JSON.parse(sessionStorage.getItem(sentKey(userId)) || '[]');
    return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
function saveSent(userId, ids) {
  try {
    sessionStorage.setItem(sentKey(userId), JSON.stringify(ids.slice(0, 100)));
  } catch {
    /* storage blocked: the list lives as long as the page */
  }
}

const noticeCache = new Map(); // id → NoticeView (the latest read)

// ---------------------------------------------------------------- screen

export function NoticesScreen({ route }) {
  useLocale();
  const me = useMe();
  const userId = me && me.id;
  const selected = route.params.get('id') || '';
  const [sent, setSent] = useState(() => loadSent(userId));
  useEffect(() => setSent(loadSent(userId)), [userId]);

  const roles = (me && me.roles) || [];
  const isAdmin = roles.some((g) => g.role === 'admin');
  const posting = [...new Set(roles.filter((g) => (g.role === 'dispatcher' || g.role === 'grid_chief') && g.area).map((g) => g.area))];
  // Admins post anywhere: the picker starts at the cities.
  const roots = isAdmin ? null : posting;
  const mayPost = isAdmin || posting.length > 0;

  const onSent = (view) => {
    noticeCache.set(view.id, view);
    const next = [view.id, ...sent.filter((x) => x !== view.id)];
    setSent(next);
    saveSent(userId, next);
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
      <p class="notices-hint">${t('notices.sent.hint')}</p>
      <${SentList} ids=${sent} selected=${selected} />
      ${selected && html`<${NoticeDetail} key=${selected} id=${selected} />`}
    </section>
  </div>`;
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
  const pending = deliveryOf(state.view).pending;
  useEffect(() => {
    if (!poll || !(pending > 0) || state.loading) return undefined;
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [poll, pending, state.loading, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

/**
 * Delivery figures, when the API states them. Today NoticeView has only
 * `recipients`; a `delivery: {pending, sent, dead}` object (or the same
 * figures at the top level) is shown and polled when it appears.
 */
function deliveryOf(view) {
  if (!view) return {};
  const d = view.delivery && typeof view.delivery === 'object' ? view.delivery : view;
  const num = (...keys) => {
    for (const k of keys) if (typeof d[k] === 'number') return d[k];
    return undefined;
  };
  return {
    delivered: num('delivered', 'sent'),
    pending: num('pending'),
    failed: num('failed', 'dead'),
  };
}

function SentList({ ids, selected }) {
  useLocale();
  if (!ids.length) return html`<p class="notices-empty">${t('notices.sent.empty')}</p>`;
  return html`<ul class="notices-list">
    ${ids.map((id) => html`<${SentItem} key=${id} id=${id} current=${id === selected} />`)}
  </ul>`;
}

function SentItem({ id, current }) {
  const { view, error } = useNotice(id);
  const areas = useAreas(view ? [view.area] : []);
  return html`<li class=${`notices-item${current ? ' is-current' : ''}`}>
    <${Link} href=${hrefOf('/notices', { id })} aria-current=${current ? 'true' : undefined} class="notices-item-link">
      <span class="notices-item-title">${view ? view.title : error ? t('notices.unavailable') : t('common.loading')}</span>
      ${view &&
      html`<span class="notices-item-meta">${[
        areaLabel(areas, view.area),
        audienceText(view.audience),
        fmtTime(view.created_at),
        t('notices.reached_short', { n: view.recipients }),
      ].join(' · ')}</span>`}
    <//>
  </li>`;
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
  const hasDelivery = [d.delivered, d.pending, d.failed].some((x) => typeof x === 'number');
  return html`<article class="notices-detail" aria-labelledby=${hid}>
    <div class="notices-detail-head">
      <h3 id=${hid} class="notices-detail-title">${view.title}</h3>
      <button type="button" class="btn" onClick=${reload} disabled=${loading}>${t('notices.refresh')}</button>
    </div>
    <dl class="notices-meta">
      <dt>${t('notices.field.area')}</dt><dd>${areaLabel(areas, view.area)} <span class="notices-code">${view.area}</span></dd>
      <dt>${t('notices.field.audience')}</dt><dd>${audienceText(view.audience)}</dd>
      <dt>${t('notices.detail.sent_at')}</dt><dd>${fmtTime(view.created_at)} <span class="notices-muted">(${fmtAge(view.created_at)})</span></dd>
      ${other && html`<dt>${t('notices.detail.author')}</dt><dd>${author || html`<span class="notices-code">${other}</span>`}</dd>`}
    </dl>
    <section class="notices-reach" aria-label=${t('notices.detail.reach')}>
      <div class="notices-figure">
        <span class="notices-figure-n">${view.recipients}</span>
        <span class="notices-figure-l">${t('notices.detail.recipients')}</span>
      </div>
      ${hasDelivery &&
      [
        ['delivered', d.delivered],
        ['pending', d.pending],
        ['failed', d.failed],
      ]
        .filter(([, n]) => typeof n === 'number')
        .map(
          ([k, n]) => html`<div key=${k} class=${`notices-figure notices-figure-${k}`}>
            <span class="notices-figure-n">${n}</span>
            <span class="notices-figure-l">${t(`notices.detail.${k}`)}</span>
          </div>`,
        )}
    </section>
    <p class="notices-hint">
      ${view.recipients === 0 ? t('notices.detail.nobody') : t('notices.detail.reach_note')}
      ${hasDelivery && d.pending > 0 ? ` ${t('notices.detail.polling')}` : ''}
    </p>
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
    'notices.sent.hint': '本浏览器标签页中发出的通知。',
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
    'notices.unavailable': '（无法读取）',
    'notices.reached_short': '送达 {n} 人',
    'notices.refresh': '刷新',
    'notices.detail.title': '通知',
    'notices.detail.gone': '找不到这条通知，或你无权查看。',
    'notices.detail.sent_at': '发送时间',
    'notices.detail.author': '发送人',
    'notices.detail.reach': '送达情况',
    'notices.detail.recipients': '人收到',
    'notices.detail.delivered': '已推送',
    'notices.detail.pending': '待推送',
    'notices.detail.failed': '推送失败',
    'notices.detail.reach_note': '人数为发送时该区域（含下级区域）内所选对象的登记人数（不含发送人）；通知已进入他们的消息中心，并推送到已登记的手机。',
    'notices.detail.nobody': '该区域内没有登记的所选对象，没有人收到这条通知。',
    'notices.detail.polling': '正在推送，每隔几秒自动刷新。',
  },
  en: {
    'notices.compose.title': 'Post a notice',
    'notices.compose.not_allowed': 'Only dispatchers and grid chiefs post notices, to the areas they serve.',
    'notices.sent.title': 'Sent notices',
    'notices.sent.hint': 'The notices sent from this browser tab.',
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
    'notices.unavailable': '(cannot be read)',
    'notices.reached_short': '{n} reached',
    'notices.refresh': 'Refresh',
    'notices.detail.title': 'Notice',
    'notices.detail.gone': 'No such notice, or it is not for you.',
    'notices.detail.sent_at': 'Sent',
    'notices.detail.author': 'Author',
    'notices.detail.reach': 'Who it reached',
    'notices.detail.recipients': 'people reached',
    'notices.detail.delivered': 'pushed',
    'notices.detail.pending': 'waiting to be pushed',
    'notices.detail.failed': 'push failed',
    'notices.detail.reach_note': 'Counted when sent: everyone of the chosen audience registered in the area or below it (the author excepted). It is in their inbox and pushed to their registered phones.',
    'notices.detail.nobody': 'Nobody of the chosen audience is registered in this area: the notice reached no one.',
    'notices.detail.polling': 'Pushing: refreshed every few seconds.',
  },
});
