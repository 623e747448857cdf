// The case view: one incident beside the queue (/console/cases/{id}?…).
// Header with the state of the case and its steps, the facts, a small map,
// photos, possible duplicates, clocks, the routing explanation and the
// timeline. Live: a change by someone else re-reads the case, or, while a
// form is open, says so and lets the user reload without losing their text.
import { html, useState, useEffect, useRef, useMemo, useCallback } from '../vendor/htm-preact.js';
import { api } from '../lib/api.js';
import { t, useLocale, locale, fmtTime, fmtRelative, statusLabel, categoryName } from '../lib/i18n.js';
import { useRoute, Link } from '../lib/router.js';
import { onIncidentEvent, onResync } from '../lib/live.js';
import './case/strings.js';
import {
  partyName,
  areaName,
  userName,
  rememberUser,
  useNames,
  loadUsers,
  problemDetail,
  isNetwork,
  priorityLabel,
  sourceLabel,
  actionLabel,
  uid,
} from './case/util.js';
import { MiniMap } from './case/minimap.js';
import { Photos } from './case/photos.js';
import { Timeline } from './case/timeline.js';
import { RoutingPanel, ClocksPanel } from './case/clocks.js';
import { ActionBar, ActionDialog } from './case/actions.js';

const OPEN = new Set(['reported', 'accepted', 'dispatched', 'in_progress', 'resolved']);
const EMPTY = { data: null, error: null };

function caseHref(id, params) {
  const q = params ? params.toString() : '';
  return `/console/cases/${encodeURIComponent(id)}${q ? `?${q}` : ''}`;
}

/** The deadline that matters now, and how it stands (ok / near / late / paused). */
function deadlineOf(inc, clocks) {
  if (!OPEN.has(inc.status) || inc.status === 'resolved') return null;
  const running = (clocks && clocks.items ? clocks.items : []).filter(
    (c) => (c.state === 'running' || c.state === 'paused') && c.step !== 'report',
  );
  const main = running.find((c) => c.red) || running.find((c) => c.yellow) || running[0];
  if (main) {
    const state = main.state === 'paused' ? 'paused' : main.red ? 'late' : main.yellow ? 'near' : 'ok';
    return { due: main.due_at, state, step: main.step };
  }
  const ack = inc.status === 'dispatched' && inc.acknowledge_due;
  const due = ack || inc.resolve_due;
  if (!due) return null;
  return { due, state: new Date(due) < new Date() ? 'late' : 'ok', step: ack ? 'acknowledge' : 'resolve' };
}

function DeadlineChip({ d }) {
  if (!d) return html`<span class="badge badge-muted">${t('case.noDeadline')}</span>`;
  const cls = { ok: 'badge-ok', near: 'badge-warn', late: 'badge-late', paused: 'badge-muted' }[d.state];
  const step = t(`case.clock.${d.step}`);
  return html`<span class=${`badge ${cls} case-deadline`} title=${fmtTime(d.due)}>
    ${step.startsWith('case.') ? '' : `${step} · `}${t(`case.deadline.${d.state}`)} · ${d.state === 'paused' ? fmtTime(d.due) : fmtRelative(d.due)}
  </span>`;
}

function Reporter({ state, onReveal, revealing, reporterId }) {
  useNames();
  if (state.error) {
    // Without the reporter endpoint: the name as far as the user list knows it.
    return html`<span>${userName(reporterId)}
      <span class="case-muted"> (${state.error.status === 404 || state.error.status === 403 ? t('case.reporterUnavailable') : problemDetail(state.error)})</span></span>`;
  }
  const r = state.data;
  if (!r) return html`<span class="case-muted">${t('case.loading')}</span>`;
  return html`<span class="case-reporter">
    <span>${r.display_name || userName(r.user_id)}</span>
    ${' · '}
    <span class="case-phone"><span class="visually-hidden">${t('case.phone')} </span>${r.phone || t('case.noPhone')}</span>
    ${r.phone && r.phone_masked
      ? html`<button type="button" class="btn btn-small" onClick=${onReveal} disabled=${revealing} title=${t('case.revealHint')}>
          ${t('case.reveal')}
        </button>`
      : null}
    ${state.revealError ? html`<span class="case-field-error" role="alert">${problemDetail(state.revealError)}</span>` : null}
  </span>`;
}

/** The nearest few: the routing and the timeline stay in reach. */
const DUPS_SHOWN = 8;

function Duplicates({ state, params, headingId }) {
  const [all, setAll] = useState(false);
  if (state.error && state.error.status === 404) return null;
  let body;
  if (state.error) body = html`<p class="case-field-error">${problemDetail(state.error)}</p>`;
  else if (!state.data) body = html`<p class="case-muted">${t('case.loading')}</p>`;
  else if (state.data.length === 0) body = html`<p class="case-muted">${t('case.dups.none')}</p>`;
  else
    body = html`<ul class="case-dups">
      ${(all ? state.data : state.data.slice(0, DUPS_SHOWN)).map(
        (d) => html`<li key=${d.id}>
          <${Link} href=${caseHref(d.id, params)} class="mono">${d.reference}<//>
          <span class=${`badge status-${d.status}`}>${statusLabel(d.status)}</span>
          <span>${t('case.dups.distance', { m: Math.round(d.distance_m) })}</span>
          <span class="case-muted">${t('case.dups.created', { time: fmtTime(d.created_at) })}</span>
        </li>`,
      )}
    </ul>
    ${!all && state.data.length > DUPS_SHOWN
      ? html`<button type="button" class="btn" onClick=${() => setAll(true)}>
          ${t('case.dups.more', { n: state.data.length - DUPS_SHOWN })}
        </button>`
      : null}`;
  return html`<section class="case-section" aria-labelledby=${headingId}>
    <h3 id=${headingId}>${t('case.dups')}${state.data && state.data.length ? ` (${state.data.length})` : ''}</h3>
    ${body}
  </section>`;
}

function Assists({ inc }) {
  useNames();
  if (!inc.assists || inc.assists.length === 0) return null;
  return html`<div class="case-assists">
    <span class="case-label">${t('case.assists.title')}</span>
    <ul>
      ${inc.assists.map(
        (a) => html`<li key=${a.party}>
          <span>${partyName(a.party)}</span>
          <span class=${`badge ${a.state === 'reported' ? 'badge-ok' : a.state === 'called' ? 'badge-warn' : ''}`}>
            ${t(`case.assist.${a.state}`)}
          </span>
          ${a.report ? html`<span class="case-muted case-assist-report">${a.report}</span>` : null}
        </li>`,
      )}
    </ul>
  </div>`;
}

export function CaseView({ id, onClose }) {
  const loc = useLocale();
  useNames();
  const route = useRoute();
  const ids = useMemo(
    () => ({
      heading: uid('case-h'),
      details: uid('case-d'),
      photos: uid('case-p'),
      dups: uid('case-dup'),
      clocks: uid('case-c'),
      routing: uid('case-r'),
      timeline: uid('case-t'),
      actions: uid('case-a'),
    }),
    [],
  );
  const [inc, setInc] = useState({ data: null, error: null, loading: true });
  const [deadlines, setDeadlines] = useState(EMPTY);
  const [routing, setRouting] = useState(EMPTY);
  const [reporter, setReporter] = useState(EMPTY);
  const [revealing, setRevealing] = useState(false);
  const [dups, setDups] = useState(EMPTY);
  const [openAction, setOpenAction] = useState(null);
  const [stale, setStale] = useState(false);
  const [flash, setFlash] = useState('');

  const idRef = useRef(id);
  idRef.current = id;
  const versionRef = useRef(0);
  const openRef = useRef(null);
  openRef.current = openAction;
  const drafts = useRef({});
  const headingRef = useRef(null);
  const rootRef = useRef(null);
  const focusedFor = useRef(null);
  const reloadTimer = useRef(null);

  const loadIncident = useCallback(async () => {
    const want = id;
    try {
      const { body } = await api.getWithEtag(`/incidents/${encodeURIComponent(want)}`);
      if (idRef.current !== want) return null;
      versionRef.current = body.version;
      setInc({ data: body, error: null, loading: false });
      return body;
    } catch (error) {
      if (idRef.current !== want) return null;
      setInc((s) => ({ data: error.status === 404 ? null : s.data, error, loading: false }));
      return null;
    }
  }, [id]);

  const loadDeadlines = useCallback(() => {
    const want = id;
    return api
      .get(`/incidents/${encodeURIComponent(want)}/deadlines`)
      .then((data) => idRef.current === want && setDeadlines({ data, error: null }))
      .catch((error) => idRef.current === want && setDeadlines((s) => ({ data: s.data, error })));
  }, [id]);

  const loadRouting = useCallback(() => {
    const want = id;
    return api
      .get(`/incidents/${encodeURIComponent(want)}/routing`, { lang: locale() })
      .then((data) => idRef.current === want && setRouting({ data, error: null }))
      .catch((error) => idRef.current === want && setRouting((s) => ({ data: s.data, error })));
  }, [id]);

  const loadDups = useCallback(
    (status) => {
      const want = id;
      if (status && !OPEN.has(status)) {
        setDups({ data: [], error: null });
        return Promise.resolve();
      }
      return api
        .get(`/incidents/${encodeURIComponent(want)}/possible-duplicates`)
        .then((data) => idRef.current === want && setDups({ data: Array.isArray(data) ? data : data.items || [], error: null }))
        .catch((error) => idRef.current === want && setDups({ data: null, error }));
    },
    [id],
  );

  const loadReporter = useCallback(() => {
    const want = id;
    return api
      .get(`/incidents/${encodeURIComponent(want)}/reporter`)
      .then((data) => {
        if (idRef.current !== want) return;
        rememberUser(data.user_id, data.display_name);
        // A revealed number stays revealed until the case changes.
        setReporter((s) => (s.data && s.data.user_id === data.user_id && s.data.phone_masked === false ? s : { data, error: null }));
      })
      .catch((error) => idRef.current === want && setReporter({ data: null, error }));
  }, [id]);

  /** Re-reads everything (after a step, a live change, a reload button). */
  const reloadAll = useCallback(async () => {
    setStale(false);
    const body = await loadIncident();
    await Promise.all([loadDeadlines(), loadRouting(), loadDups(body && body.status), loadReporter()]);
  }, [loadIncident, loadDeadlines, loadRouting, loadDups, loadReporter]);

  // A new case: forget the old one, read the new one.
  useEffect(() => {
    setInc({ data: null, error: null, loading: true });
    setDeadlines(EMPTY);
    setRouting(EMPTY);
    setReporter(EMPTY);
    setDups(EMPTY);
    setOpenAction(null);
    setStale(false);
    setFlash('');
    drafts.current = {};
    versionRef.current = 0;
    loadUsers();
    reloadAll();
    return () => clearTimeout(reloadTimer.current);
  }, [id]);

  // The routing explanation comes in the reader's language.
  const firstLoc = useRef(loc);
  useEffect(() => {
    if (firstLoc.current === loc) return;
    firstLoc.current = loc;
    loadRouting();
  }, [loc]);

  // Focus the heading once the case is shown (keyboard users land on it).
  useEffect(() => {
    if (inc.data && inc.data.id === id && focusedFor.current !== id && headingRef.current) {
      focusedFor.current = id;
      headingRef.current.focus({ preventScroll: false });
    }
  }, [inc.data, id]);

  // Live changes of this case.
  useEffect(() => {
    const offEvent = onIncidentEvent((ev) => {
      if (!ev || ev.incident_id !== idRef.current) return;
      if (typeof ev.version === 'number' && ev.version <= versionRef.current) return;
      // An open dialog or a comment being written: say so, do not reload under the user.
      const draftTyped = !!(drafts.current.comment && drafts.current.comment.trim());
      if (openRef.current || draftTyped) {
        setStale(true);
        return;
      }
      clearTimeout(reloadTimer.current);
      reloadTimer.current = setTimeout(() => {
        reloadAll().then(() => setFlash(t('case.updated')));
      }, 250);
    });
    const offResync = onResync(() => {
      if (openRef.current) setStale(true);
      else reloadAll();
    });
    return () => {
      offEvent();
      offResync();
    };
  }, [reloadAll]);

  // Escape closes the case when no dialog is open and no field is being edited.
  useEffect(() => {
    const onKey = (e) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (document.querySelector('dialog[open]')) return;
      const el = e.target;
      const editing = el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
      if (editing && !(rootRef.current && rootRef.current.contains(el) && !el.value)) return;
      if (onClose) {
        e.preventDefault();
        onClose();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const afterStep = useCallback(
    (action, out) => {
      if (out && out.id === idRef.current && typeof out.version === 'number') {
        versionRef.current = Math.max(versionRef.current, out.version);
        setInc((s) => ({ ...s, data: { ...(s.data || {}), ...out, timeline: out.timeline || (s.data && s.data.timeline), photos: out.photos || (s.data && s.data.photos) } }));
      }
      setFlash(t('case.done', { action: actionLabel(action) }));
      reloadAll().then(() => {
        const a = document.activeElement;
        if (!a || a === document.body || !a.isConnected || !(rootRef.current && rootRef.current.contains(a))) {
          if (!document.querySelector('dialog[open]') && headingRef.current) headingRef.current.focus();
        }
      });
    },
    [reloadAll],
  );

  const reveal = async () => {
    setRevealing(true);
    try {
      const data = await api.post(`/incidents/${encodeURIComponent(id)}/reporter/reveal`);
      setReporter({ data, error: null });
    } catch (e) {
      setReporter((s) => ({ ...s, revealError: e }));
    }
    setRevealing(false);
  };

  const openStep = (action) => {
    if (action === 'comment') {
      const box = rootRef.current && rootRef.current.querySelector('#case-comment-form textarea');
      if (box) {
        box.focus();
        box.scrollIntoView({ block: 'center' });
      }
      return;
    }
    setOpenAction(action);
  };

  // ---- render --------------------------------------------------------
  // Until the new case arrives, never show the previous one under its id.
  const data = inc.data && inc.data.id === id ? inc.data : null;
  const closeButton = html`<button type="button" class="btn btn-ghost case-x" aria-label=${t('case.close')} onClick=${onClose}>×</button>`;

  if (!data) {
    let body;
    if (inc.error) {
      body = html`<div class="state-error" role="alert">
        <div class="grow">
          <p>${inc.error.status === 404 ? t('case.notFound') : isNetwork(inc.error) ? t('case.networkError') : t('case.error', { detail: problemDetail(inc.error) })}</p>
        </div>
        ${inc.error.status !== 404 ? html`<button type="button" class="btn" onClick=${reloadAll}>${t('case.retry')}</button>` : null}
      </div>`;
    } else {
      body = html`<div class="state" role="status"><div class="loading-bar"></div><p>${t('case.loading')}</p></div>`;
    }
    return html`<section class="case-view" aria-label=${t('case.region')} ref=${rootRef}>
      <div class="case-head"><div class="case-head-top"><span class="grow"></span>${closeButton}</div></div>
      ${body}
    </section>`;
  }

  const ctx = {
    incident: data,
    reload: reloadAll,
    afterStep,
    drafts: drafts.current,
    dups: dups.data || [],
    routing: routing.data,
  };
  const deadline = deadlineOf(data, deadlines.data);
  const pending = ((deadlines.data && deadlines.data.requests) || []).filter((r) => r.state === 'pending');
  const jumpToRequests = (e) => {
    e.preventDefault();
    const first = rootRef.current && rootRef.current.querySelector('.case-request.is-pending button');
    const target = first || document.getElementById(ids.clocks);
    if (target) {
      target.scrollIntoView({ block: 'center' });
      if (first) first.focus();
    }
  };

  return html`<article class="case-view" aria-labelledby=${ids.heading} ref=${rootRef}>
    <header class=${`case-head ${deadline ? `is-${deadline.state}` : ''}`}>
      <div class="case-head-top">
        <h2 id=${ids.heading} ref=${headingRef} tabindex="-1" class="mono case-ref">${data.reference}</h2>
        <span class=${`badge status-${data.status}`}>${statusLabel(data.status)}</span>
        ${OPEN.has(data.status) && data.status !== 'resolved' ? html`<${DeadlineChip} d=${deadline} />` : null}
      </div>
      <p class="case-title">
        <strong>${categoryName(data.category)}</strong>
        <span class=${`badge case-prio-${data.priority}`}>${t('case.priority')}${t('case.colon')}${priorityLabel(data.priority)}</span>
        <span class="badge badge-muted">${t('case.source')}${t('case.colon')}${sourceLabel(data.source)}</span>
        <span>${t('case.party')}${t('case.colon')}${data.party ? partyName(data.party) : html`<span class="case-muted">${t('case.noParty')}</span>`}</span>
        ${data.assignee ? html`<span>${t('case.assignee')}${t('case.colon')}${userName(data.assignee)}</span>` : null}
      </p>
      <${ActionBar} incident=${data} onOpen=${openStep} headingId=${ids.actions} />
      ${closeButton}
      ${pending.length > 0 &&
      html`<p class="case-pending">
        <a href=${`#${ids.clocks}`} onClick=${jumpToRequests}>${t('case.requests.pending', { n: pending.length })}</a>
      </p>`}
      ${stale &&
      html`<div class="case-alert case-alert-warn" role="alert">
        <p><strong>${t('case.stale')}</strong> ${openAction || drafts.current.comment ? t('case.staleHint') : ''}</p>
        <button type="button" class="btn" onClick=${reloadAll}>${t('case.reload')}</button>
      </div>`}
      ${inc.error && html`<div class="case-alert case-alert-err" role="alert">
        <p>${problemDetail(inc.error)}</p>
        <button type="button" class="btn" onClick=${reloadAll}>${t('case.retry')}</button>
      </div>`}
      <p class="visually-hidden" role="status" aria-live="polite">${flash}</p>
    </header>

    <div class="case-body">
      <section class="case-section case-facts" aria-labelledby=${ids.details}>
        <h3 id=${ids.details} class="visually-hidden">${t('case.details')}</h3>
        <div class="case-facts-text">
          <p class="case-desc">${data.description}</p>
          <dl class="case-dl">
            <dt>${t('case.address')}</dt>
            <dd>${data.address || html`<span class="case-muted">${t('case.noAddress')}</span>`}</dd>
            <dt>${t('case.grid')}</dt>
            <dd>${areaName(data.grid)}</dd>
            <dt>${t('case.reporter')}</dt>
            <dd><${Reporter} state=${reporter} onReveal=${reveal} revealing=${revealing} reporterId=${data.reporter_id} /></dd>
            <dt>${t('case.occurredAt')}</dt>
            <dd><time datetime=${data.occurred_at}>${fmtTime(data.occurred_at)}</time></dd>
            <dt>${t('case.createdAt')}</dt>
            <dd><time datetime=${data.created_at}>${fmtTime(data.created_at)}</time></dd>
            <dt>${t('case.updatedAt')}</dt>
            <dd><time datetime=${data.updated_at}>${fmtTime(data.updated_at)}</time></dd>
            ${data.status === 'dispatched' && data.acknowledge_due
              ? html`<dt>${t('case.ackDue')}</dt><dd><time datetime=${data.acknowledge_due}>${fmtTime(data.acknowledge_due)}</time></dd>`
              : null}
            ${data.resolve_due
              ? html`<dt>${t('case.resolveDue')}</dt><dd><time datetime=${data.resolve_due}>${fmtTime(data.resolve_due)}</time></dd>`
              : null}
            ${data.duplicate_of
              ? html`<dt>${t('case.duplicateOf')}</dt><dd><${Link} href=${caseHref(data.duplicate_of, route.params)}>${data.duplicate_of}<//></dd>`
              : null}
            ${data.result ? html`<dt>${t('case.result')}</dt><dd class="case-pre">${data.result}</dd>` : null}
            ${data.rating
              ? html`<dt>${t('case.rating')}</dt><dd>${t(`case.rate.${data.rating.rating}`)}${data.rating.comment ? ` — ${data.rating.comment}` : ''}</dd>`
              : null}
          </dl>
          ${data.rework_count > 0 || (data.returned_by && data.returned_by.length)
            ? html`<p class="case-flags">
                ${data.rework_count > 0 ? html`<span class="badge badge-warn">${t('case.rework', { n: data.rework_count })}</span>` : null}
                ${data.returned_by && data.returned_by.length
                  ? html`<span class="badge badge-warn">${t('case.returnedBy', { parties: data.returned_by.map(partyName).join('、') })}</span>`
                  : null}
              </p>`
            : null}
          <${Assists} inc=${data} />
        </div>
        <${MiniMap}
          incidentId=${data.id}
          grid=${data.grid}
          lng=${data.location.coordinates[0]}
          lat=${data.location.coordinates[1]}
        />
      </section>

      <${Photos} photos=${data.photos} headingId=${ids.photos} />

      ${OPEN.has(data.status) && html`<${Duplicates} state=${dups} params=${route.params} headingId=${ids.dups} />`}

      <${ClocksPanel}
        state=${deadlines}
        incident=${data}
        headingId=${ids.clocks}
        onRetry=${loadDeadlines}
        onChanged=${(what) => afterStep(what === 'end' ? 'resumed' : what, null)}
      />
      <${RoutingPanel} state=${routing} headingId=${ids.routing} onRetry=${loadRouting} />
      <${Timeline} incident=${data} headingId=${ids.timeline} ctx=${ctx} />
    </div>

    ${openAction &&
    html`<${ActionDialog}
      key=${openAction}
      action=${openAction}
      ctx=${ctx}
      returnFocus=${headingRef}
      onClose=${() => setOpenAction(null)}
    />`}
  </article>`;
}
