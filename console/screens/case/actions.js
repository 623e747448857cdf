// The action bar (exactly the steps the API allows the caller now, plus
// calling assists for a dispatcher covering the case) and the form of each
// step in a modal dialog. What the user types is kept in `ctx.drafts` so a
// reload (after a 412) or closing and reopening a dialog loses nothing.
import { html, useState, useEffect, useMemo } from '../../vendor/htm-preact.js';
import { api } from '../../lib/api.js';
import { t, fmtTime, statusLabel, locale, categoryName } from '../../lib/i18n.js';
import { me } from '../../lib/session.js';
import {
  actionLabel,
  partyName,
  rememberParties,
  handlersOf,
  loadUsers,
  useNames,
  uid,
  problemDetail,
} from './util.js';
import { Modal } from './dialog.js';
import { loadParties as loadGridParties } from '../../lib/refdata.js';
import { useStepForm, StepError, FieldError } from './step.js';

const ORDER = [
  'accept',
  'dispatch',
  'acknowledge',
  'resolve',
  'resolve_on_spot',
  'verify',
  'assists',
  'reopen',
  'extensions',
  'suspensions',
  'return',
  'reject',
  'rate',
  'comment',
];
const PRIMARY = new Set(['accept', 'dispatch', 'acknowledge', 'resolve', 'verify']);
const DANGER = new Set(['reject', 'reopen', 'return']);

/** Whether `area` (a grant's area code) covers `grid`, as the API decides. */
export function covers(area, grid) {
  if (!area || !grid) return false;
  const prefix = area.length === 6 && area.endsWith('00') ? area.slice(0, 4) : area;
  return grid.startsWith(prefix);
}
export function dispatcherCovers(grid) {
  const m = me();
  return !!m && (m.roles || []).some((r) => r.role === 'dispatcher' && covers(r.area, grid));
}

function handlerInCharge(incident) {
  const m = me();
  if (!m || !incident.party) return false;
  const own = m.id || (m.user && m.user.id);
  return (
    (m.roles || []).some((r) => r.role === 'handler' && r.party === incident.party) &&
    (!incident.assignee || incident.assignee === own)
  );
}

/** The steps to offer as buttons, in a stable working order. */
export function offeredActions(incident) {
  const allowed = new Set(incident.allowed_actions || []);
  if (
    !allowed.has('assists') &&
    (incident.status === 'dispatched' || incident.status === 'in_progress') &&
    dispatcherCovers(incident.grid)
  ) {
    allowed.add('assists');
  }
  // Asking for more time: the handler in charge while the party holds it
  // (not in allowed_actions; the API answers 403/409 otherwise).
  if (
    (incident.status === 'dispatched' || incident.status === 'in_progress') &&
    handlerInCharge(incident)
  ) {
    allowed.add('extensions');
    allowed.add('suspensions');
  }
  return ORDER.filter((a) => allowed.has(a)).concat([...allowed].filter((a) => !ORDER.includes(a)));
}

export function ActionBar({ incident, onOpen, headingId }) {
  const actions = offeredActions(incident);
  return html`<div class="case-actions" role="group" aria-labelledby=${headingId}>
    <span id=${headingId} class="visually-hidden">${t('case.actions')}</span>
    ${actions.length === 0 || (actions.length === 1 && actions[0] === 'comment')
      ? html`<span class="case-muted">${t('case.noActions')}</span>`
      : null}
    ${actions.map(
      (a) => html`<button
        key=${a}
        type="button"
        class=${`btn ${PRIMARY.has(a) ? 'btn-primary' : DANGER.has(a) ? 'btn-danger' : ''}`}
        data-action=${a}
        onClick=${() => onOpen(a)}
      >
        ${actionLabel(a)}
      </button>`,
    )}
  </div>`;
}

/** The dialog of the open step. */
export function ActionDialog({ action, ctx, onClose, returnFocus }) {
  const Form = FORMS[action] || NoteForm;
  return html`<${Modal} title=${actionLabel(action)} onClose=${onClose} returnFocus=${returnFocus}>
    <${Form} action=${action} ctx=${ctx} onClose=${onClose} />
  <//>`;
}

// ---- shared bits -------------------------------------------------------
function useDraft(ctx, action, initial) {
  const [value, setValue] = useState(() => ({ ...initial, ...(ctx.drafts[action] || {}) }));
  const set = (patch) =>
    setValue((v) => {
      const next = { ...v, ...patch };
      ctx.drafts[action] = next;
      return next;
    });
  return [value, set];
}

function stillAllowed(ctx, action) {
  return offeredActions(ctx.incident).includes(action);
}

function Buttons({ ctx, action, step, onClose, label, disabled }) {
  const allowed = stillAllowed(ctx, action);
  return html`
    ${!allowed && html`<p class="case-alert case-alert-warn" role="status">${t('case.notAllowedNow')}</p>`}
    <div class="case-row case-dialog-buttons">
      <button
        type="submit"
        class=${`btn ${DANGER.has(action) ? 'btn-danger' : 'btn-primary'}`}
        disabled=${step.sending || !allowed || disabled}
      >
        ${step.sending ? t('case.sending') : label || actionLabel(action)}
      </button>
      <button type="button" class="btn" onClick=${onClose}>${t('case.cancel')}</button>
    </div>
  `;
}

function TextField({ id, label, value, onInput, error, required, rows = 3, multiline = true }) {
  const errId = `${id}-err`;
  const common = {
    id,
    value,
    required,
    'aria-required': required ? 'true' : undefined,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': error ? errId : undefined,
    onInput: (e) => onInput(e.currentTarget.value),
  };
  return html`<div class="field">
    <label for=${id}>${label}${required ? html` <span class="case-req">*</span>` : null}</label>
    ${multiline ? html`<textarea rows=${rows} ...${common}></textarea>` : html`<input type="text" ...${common} />`}
    <${FieldError} id=${errId} text=${error} />
  </div>`;
}

async function finish(ctx, action, out, onClose) {
  delete ctx.drafts[action];
  onClose();
  ctx.afterStep(action, out);
}

// ---- forms -------------------------------------------------------------
/** accept, acknowledge, verify (and any other step taking an optional note). */
function NoteForm({ action, ctx, onClose }) {
  const id = useMemo(() => uid('note'), []);
  const [v, set] = useDraft(ctx, action, { note: '' });
  const step = useStepForm(ctx, ['note']);
  async function submit(e) {
    e.preventDefault();
    const out = await step.submit(`/incidents/${ctx.incident.id}/${action}`, { note: v.note.trim() || null });
    if (out) finish(ctx, action, out, onClose);
  }
  return html`<form onSubmit=${submit} class="case-form">
    <${TextField} id=${id} label=${t('case.note')} value=${v.note} onInput=${(note) => set({ note })} error=${step.errs.note} rows="2" />
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <${Buttons} ctx=${ctx} action=${action} step=${step} onClose=${onClose} />
  </form>`;
}

/** return, reopen: a reason is required. */
function ReasonForm({ action, ctx, onClose }) {
  const id = useMemo(() => uid('reason'), []);
  const [v, set] = useDraft(ctx, action, { reason: '' });
  const step = useStepForm(ctx, ['reason']);
  async function submit(e) {
    e.preventDefault();
    if (!v.reason.trim()) {
      step.setErrs({ reason: t('case.reasonRequired') });
      return;
    }
    const out = await step.submit(`/incidents/${ctx.incident.id}/${action}`, { reason: v.reason.trim() });
    if (out) finish(ctx, action, out, onClose);
  }
  return html`<form onSubmit=${submit} class="case-form" noValidate>
    <${TextField} id=${id} label=${t('case.reason')} value=${v.reason} onInput=${(reason) => set({ reason })} error=${step.errs.reason} required />
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <${Buttons} ctx=${ctx} action=${action} step=${step} onClose=${onClose} />
  </form>`;
}

function dupLabel(d) {
  const parts = [d.reference, statusLabel(d.status)];
  if (d.category) parts.splice(1, 0, categoryName(d.category));
  if (d.distance_m != null) parts.push(t('case.dups.distance', { m: Math.round(d.distance_m) }));
  if (d.created_at) parts.push(t('case.dups.created', { time: fmtTime(d.created_at) }));
  return parts.join(' · ');
}

const UUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id finds its case; anything else is `q` (text of the description or part of the reference). */
async function searchIncidents(q, selfId) {
  q = q.trim();
  if (!q) return [];
  if (UUIDISH.test(q)) {
    const one = await api.get(`/incidents/${encodeURIComponent(q)}`);
    return [one];
  }
  const page = await api.get('/incidents', { q, limit: 20, sort: 'created_desc' });
  return (page.items || []).filter((i) => i.id !== selfId);
}

function RejectForm({ action, ctx, onClose }) {
  const ids = useMemo(
    () => ({ kind: uid('rk'), dup: uid('rd'), search: uid('rs'), note: uid('rn'), dupErr: uid('rde') }),
    [],
  );
  const [v, set] = useDraft(ctx, action, { reason: '', duplicate_of: null, dupRef: '', note: '', q: '' });
  const step = useStepForm(ctx, ['reason', 'duplicate_of', 'note']);
  const [found, setFound] = useState(null); // null: not searched
  const [searching, setSearching] = useState(false);
  const [searchErr, setSearchErr] = useState(null);
  const suggested = (ctx.dups || []).filter((d) => d.id !== ctx.incident.id);

  async function search() {
    setSearching(true);
    setSearchErr(null);
    try {
      setFound(await searchIncidents(v.q, ctx.incident.id));
    } catch (e) {
      setSearchErr(e);
      setFound([]);
    }
    setSearching(false);
  }
  async function submit(e) {
    e.preventDefault();
    if (!v.reason) {
      step.setErrs({ reason: t('case.required') });
      return;
    }
    if (v.reason === 'duplicate' && !v.duplicate_of) {
      step.setErrs({ duplicate_of: t('case.reject.needDup') });
      return;
    }
    const body = { reason: v.reason, note: v.note.trim() || null };
    if (v.reason === 'duplicate') body.duplicate_of = v.duplicate_of;
    const out = await step.submit(`/incidents/${ctx.incident.id}/reject`, body);
    if (out) finish(ctx, action, out, onClose);
  }
  const pick = (d) => set({ duplicate_of: d.id, dupRef: d.reference });

  const options = [];
  const seen = new Set();
  for (const d of suggested) if (!seen.has(d.id)) (seen.add(d.id), options.push({ ...d, suggested: true }));
  for (const d of found || []) if (!seen.has(d.id)) (seen.add(d.id), options.push(d));
  if (v.duplicate_of && !seen.has(v.duplicate_of)) options.unshift({ id: v.duplicate_of, reference: v.dupRef });

  return html`<form onSubmit=${submit} class="case-form" noValidate>
    <fieldset class="field" aria-describedby=${step.errs.reason ? `${ids.kind}-err` : undefined}>
      <legend>${t('case.reject.kind')} <span class="case-req">*</span></legend>
      ${['duplicate', 'out_of_scope', 'invalid'].map(
        (k, i) => html`<label class="case-radio" key=${k}>
          <input
            type="radio"
            name=${ids.kind}
            value=${k}
            checked=${v.reason === k}
            autofocus=${i === 0 && !v.reason ? true : undefined}
            onChange=${() => set({ reason: k })}
          />
          ${t(`case.reject.${k}`)}
        </label>`,
      )}
      <${FieldError} id=${`${ids.kind}-err`} text=${step.errs.reason} />
    </fieldset>

    ${v.reason === 'duplicate' &&
    html`<fieldset class="field case-dup-picker" aria-describedby=${step.errs.duplicate_of ? ids.dupErr : undefined}>
      <legend>${t('case.reject.dupOf')} <span class="case-req">*</span></legend>
      ${suggested.length > 0 && html`<p class="case-muted">${t('case.reject.suggested')}</p>`}
      ${options.length > 0 &&
      html`<div class="case-dup-options">
        ${options.map(
          (d) => html`<label class="case-radio" key=${d.id}>
            <input type="radio" name=${ids.dup} value=${d.id} checked=${v.duplicate_of === d.id} onChange=${() => pick(d)} />
            <span>${d.status || d.distance_m != null ? dupLabel(d) : d.reference}</span>
            ${d.description && html`<span class="case-muted case-dup-desc">${d.description}</span>`}
          </label>`,
        )}
      </div>`}
      <div class="case-search">
        <label for=${ids.search}>${t('case.reject.search')}</label>
        <div class="case-row">
          <input
            id=${ids.search}
            type="search"
            value=${v.q}
            onInput=${(e) => set({ q: e.currentTarget.value })}
            onKeyDown=${(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                search();
              }
            }}
          />
          <button type="button" class="btn" onClick=${search} disabled=${searching || !v.q.trim()}>
            ${searching ? t('case.loading') : t('case.reject.searchBtn')}
          </button>
        </div>
        ${searchErr && html`<p class="case-field-error" role="alert">${problemDetail(searchErr)}</p>`}
        ${found && found.length === 0 && !searchErr && html`<p class="case-muted" role="status">${t('case.reject.noResults')}</p>`}
      </div>
      <${FieldError} id=${ids.dupErr} text=${step.errs.duplicate_of} />
    </fieldset>`}

    <${TextField} id=${ids.note} label=${t('case.note')} value=${v.note} onInput=${(note) => set({ note })} error=${step.errs.note} rows="2" />
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <${Buttons} ctx=${ctx} action=${action} step=${step} onClose=${onClose} />
  </form>`;
}

/** Parties serving the case's grid (shared cache of refdata.js). */
function useGridParties(grid) {
  const [state, setState] = useState({ items: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    loadGridParties(grid)
      .then((items) => {
        rememberParties(items);
        if (alive) setState({ items, error: null });
      })
      .catch((error) => alive && setState({ items: null, error }));
    return () => {
      alive = false;
    };
  }, [grid, tick]);
  return [state, () => setTick((n) => n + 1)];
}

function pName(p) {
  return locale() === 'en' ? p.name_en || p.name : p.name || p.name_en;
}

/** Where routing would send the case now: the stored decision, else a preview. */
function useSuggestion(ctx) {
  const inc = ctx.incident;
  const [s, setS] = useState(null);
  const decisions = (ctx.routing && ctx.routing.decisions) || [];
  const last = decisions[decisions.length - 1];
  useEffect(() => {
    let alive = true;
    const returned = new Set(inc.returned_by || []);
    const fromDecision = (d) => {
      const code = d && d.recipient && d.recipient.kind === 'party' && d.recipient.party && d.recipient.party.code;
      if (!code) return null;
      return { party: code, name: d.recipient.party.name, rule: d.rule, why: (d.explanation || [])[0], returned: returned.has(code) };
    };
    const stored = fromDecision(last);
    if (stored && !stored.returned) {
      setS(stored);
      return undefined;
    }
    api
      .post(`/routing/preview?lang=${encodeURIComponent(locale())}`, {
        category: inc.category,
        location: inc.location,
        priority: inc.priority,
      })
      .then((d) => alive && setS(fromDecision(d) || { none: true, why: (d.explanation || [])[0], rule: d.rule }))
      .catch(() => alive && setS({ none: true }));
    return () => {
      alive = false;
    };
  }, [inc.id, inc.version, last && last.id]);
  return s;
}

function DispatchForm({ action, ctx, onClose }) {
  useNames();
  const inc = ctx.incident;
  const ids = useMemo(() => ({ party: uid('dp'), assignee: uid('da'), note: uid('dn') }), []);
  const [v, set] = useDraft(ctx, action, { party: '', assignee: '', note: '', touched: false });
  const step = useStepForm(ctx, ['party', 'assignee', 'note']);
  const [parties, retryParties] = useGridParties(inc.grid);
  const suggestion = useSuggestion(ctx);
  useEffect(() => {
    loadUsers();
  }, []);
  // Pre-fill with the suggestion unless the user already chose.
  useEffect(() => {
    if (!v.touched && !v.party && suggestion && suggestion.party && !suggestion.returned) set({ party: suggestion.party });
  }, [suggestion && suggestion.party]);

  const returned = new Set(inc.returned_by || []);
  const best = suggestion && suggestion.party && !suggestion.returned ? suggestion.party : null;
  const items = [...(parties.items || [])];
  if (suggestion && suggestion.party && !items.some((p) => p.code === suggestion.party)) {
    items.push({ code: suggestion.party, name: suggestion.name, name_en: suggestion.name });
  }
  items.sort((a, b) => {
    const sa = a.code === best ? 0 : returned.has(a.code) ? 2 : 1;
    const sb = b.code === best ? 0 : returned.has(b.code) ? 2 : 1;
    return sa - sb || pName(a).localeCompare(pName(b), 'zh-CN');
  });
  const handlers = v.party ? handlersOf(v.party) : [];

  async function submit(e) {
    e.preventDefault();
    if (!v.party) {
      step.setErrs({ party: t('case.dispatch.choose') });
      return;
    }
    const out = await step.submit(`/incidents/${inc.id}/dispatch`, {
      party: v.party,
      assignee: v.assignee || null,
      note: v.note.trim() || null,
    });
    if (out) finish(ctx, action, out, onClose);
  }

  return html`<form onSubmit=${submit} class="case-form" noValidate>
    <div class="case-suggestion" role="status">
      <strong>${t('case.dispatch.suggestion')}${t('case.colon')}</strong>
      ${!suggestion
        ? t('case.loading')
        : suggestion.party && suggestion.returned
          ? html`<span>${t('case.dispatch.suggestedReturned', { name: suggestion.name || partyName(suggestion.party) })}</span>`
          : suggestion.party
            ? html`${t('case.dispatch.suggested', { name: suggestion.name || partyName(suggestion.party) })}
              ${suggestion.rule && suggestion.rule.name
                ? html` <span class="case-muted">(${t('case.dispatch.suggestedBy', { rule: suggestion.rule.name })})</span>`
                : null}`
            : html`<span class="case-muted">${suggestion.why || t('case.dispatch.suggestedFallback')}</span>`}
      ${suggestion && suggestion.party && suggestion.why ? html`<p class="case-muted">${suggestion.why}</p>` : null}
    </div>
    <div class="field">
      <label for=${ids.party}>${t('case.dispatch.party')} <span class="case-req">*</span></label>
      ${parties.error
        ? html`<p class="case-field-error">${problemDetail(parties.error)}
            <button type="button" class="btn" onClick=${retryParties}>${t('case.retry')}</button></p>`
        : null}
      <select
        id=${ids.party}
        value=${v.party}
        required
        aria-required="true"
        aria-invalid=${step.errs.party ? 'true' : undefined}
        aria-describedby=${step.errs.party ? `${ids.party}-err` : undefined}
        onChange=${(e) => set({ party: e.currentTarget.value, assignee: '', touched: true })}
      >
        <option value="">${parties.items || parties.error ? t('case.dispatch.choose') : t('case.dispatch.loadingParties')}</option>
        ${items.map(
          (p) => html`<option key=${p.code} value=${p.code}>
            ${pName(p)}${returned.has(p.code) ? ` ${t('case.dispatch.returned')}` : ''}${best === p.code ? ' ★' : ''}
          </option>`,
        )}
      </select>
      ${parties.items && parties.items.length === 0 && html`<p class="case-muted">${t('case.dispatch.noParties')}</p>`}
      <${FieldError} id=${`${ids.party}-err`} text=${step.errs.party} />
    </div>
    ${handlers.length > 0 &&
    html`<div class="field">
      <label for=${ids.assignee}>${t('case.dispatch.assignee')}</label>
      <select id=${ids.assignee} value=${v.assignee} onChange=${(e) => set({ assignee: e.currentTarget.value })}
        aria-invalid=${step.errs.assignee ? 'true' : undefined}>
        <option value="">${t('case.dispatch.anyone')}</option>
        ${handlers.map((h) => html`<option key=${h.id} value=${h.id}>${h.name || h.id}</option>`)}
      </select>
      <${FieldError} id=${`${ids.assignee}-err`} text=${step.errs.assignee} />
    </div>`}
    <${TextField} id=${ids.note} label=${t('case.note')} value=${v.note} onInput=${(note) => set({ note })} error=${step.errs.note} rows="2" />
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <${Buttons} ctx=${ctx} action=${action} step=${step} onClose=${onClose} />
  </form>`;
}

function AssistsForm({ action, ctx, onClose }) {
  const inc = ctx.incident;
  const ids = useMemo(() => ({ group: uid('ag'), note: uid('an') }), []);
  const [v, set] = useDraft(ctx, action, { parties: [], note: '' });
  const step = useStepForm(ctx, ['parties', 'note']);
  const [parties, retryParties] = useGridParties(inc.grid);
  const taken = new Set([inc.party, ...(inc.assists || []).map((a) => a.party)]);
  const items = (parties.items || []).filter((p) => !taken.has(p.code));
  items.sort((a, b) => pName(a).localeCompare(pName(b), 'zh-CN'));
  const toggle = (code) =>
    set({ parties: v.parties.includes(code) ? v.parties.filter((c) => c !== code) : [...v.parties, code] });

  async function submit(e) {
    e.preventDefault();
    if (v.parties.length === 0) {
      step.setErrs({ parties: t('case.assists.pickOne') });
      return;
    }
    // No allowed_actions entry for it: the step is `POST …/assists`.
    const out = await step.submit(`/incidents/${inc.id}/assists`, { parties: v.parties, note: v.note.trim() || null });
    if (out) finish(ctx, action, out, onClose);
  }
  return html`<form onSubmit=${submit} class="case-form" noValidate>
    <fieldset class="field" aria-describedby=${step.errs.parties ? `${ids.group}-err` : undefined}>
      <legend>${t('case.assists.parties')} <span class="case-req">*</span></legend>
      ${parties.error
        ? html`<p class="case-field-error">${problemDetail(parties.error)}
            <button type="button" class="btn" onClick=${retryParties}>${t('case.retry')}</button></p>`
        : !parties.items
          ? html`<p class="case-muted">${t('case.dispatch.loadingParties')}</p>`
          : items.length === 0
            ? html`<p class="case-muted">${t('case.assists.none')}</p>`
            : html`<div class="case-checks">
                ${items.map(
                  (p) => html`<label class="case-radio" key=${p.code}>
                    <input type="checkbox" value=${p.code} checked=${v.parties.includes(p.code)} onChange=${() => toggle(p.code)} />
                    ${pName(p)}
                  </label>`,
                )}
              </div>`}
      <${FieldError} id=${`${ids.group}-err`} text=${step.errs.parties} />
    </fieldset>
    <${TextField} id=${ids.note} label=${t('case.note')} value=${v.note} onInput=${(note) => set({ note })} error=${step.errs.note} rows="2" />
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <${Buttons} ctx=${ctx} action=${action} step=${step} onClose=${onClose} />
  </form>`;
}

/** resolve, resolve_on_spot: the result, with after-photos uploaded first. */
function ResolveForm({ action, ctx, onClose }) {
  const inc = ctx.incident;
  const ids = useMemo(() => ({ result: uid('rr'), photos: uid('rp') }), []);
  const [v, set] = useDraft(ctx, action, { result: '', keys: [] });
  const [files, setFiles] = useState([]);
  const [uploading, setUploading] = useState(false);
  const [uploadErr, setUploadErr] = useState(null);
  const step = useStepForm(ctx, ['result', 'photos']);

  async function submit(e) {
    e.preventDefault();
    if (!v.result.trim()) {
      step.setErrs({ result: t('case.required') });
      return;
    }
    let keys = v.keys;
    if (files.length) {
      setUploading(true);
      setUploadErr(null);
      try {
        keys = [...keys];
        for (const f of files) {
          const fd = new FormData();
          fd.append('photo', f, f.name);
          const photo = await api.upload(`/incidents/${inc.id}/photos?kind=after`, fd);
          if (photo && photo.key && !keys.includes(photo.key)) keys.push(photo.key);
        }
        set({ keys });
        setFiles([]);
      } catch (err) {
        setUploading(false);
        setUploadErr(err);
        return;
      }
      setUploading(false);
    }
    const out = await step.submit(`/incidents/${inc.id}/${action}`, { result: v.result.trim(), photos: keys });
    if (out) finish(ctx, action, out, onClose);
  }
  return html`<form onSubmit=${submit} class="case-form" noValidate>
    <${TextField} id=${ids.result} label=${t('case.resolve.result')} value=${v.result} onInput=${(result) => set({ result })} error=${step.errs.result} required />
    <div class="field">
      <label for=${ids.photos}>${t('case.resolve.photos')}</label>
      <input id=${ids.photos} type="file" accept="image/jpeg,image/png,image/webp,image/heic" multiple
        onChange=${(e) => setFiles([...e.currentTarget.files])} />
      ${v.keys.length > 0 && html`<p class="case-muted">${t('case.timeline.attachments', { n: v.keys.length })} ✓</p>`}
      ${uploading && html`<p class="case-muted" role="status">${t('case.resolve.uploading')}</p>`}
      ${uploadErr && html`<p class="case-field-error" role="alert">${problemDetail(uploadErr)}</p>`}
      <${FieldError} id=${`${ids.photos}-err`} text=${step.errs.photos} />
    </div>
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <${Buttons} ctx=${ctx} action=${action} step=${step} onClose=${onClose} disabled=${uploading} />
  </form>`;
}

function RateForm({ action, ctx, onClose }) {
  const ids = useMemo(() => ({ group: uid('rt'), comment: uid('rc') }), []);
  const [v, set] = useDraft(ctx, action, { rating: '', comment: '' });
  const step = useStepForm(ctx, ['rating', 'comment']);
  async function submit(e) {
    e.preventDefault();
    if (!v.rating) {
      step.setErrs({ rating: t('case.required') });
      return;
    }
    const out = await step.submit(`/incidents/${ctx.incident.id}/rate`, { rating: v.rating, comment: v.comment.trim() || null });
    if (out) finish(ctx, action, out, onClose);
  }
  return html`<form onSubmit=${submit} class="case-form" noValidate>
    <fieldset class="field">
      <legend>${t('case.rate.rating')} <span class="case-req">*</span></legend>
      ${['satisfied', 'basically_satisfied', 'dissatisfied'].map(
        (k) => html`<label class="case-radio" key=${k}>
          <input type="radio" name=${ids.group} value=${k} checked=${v.rating === k} onChange=${() => set({ rating: k })} />
          ${t(`case.rate.${k}`)}
        </label>`,
      )}
      <${FieldError} id=${`${ids.group}-err`} text=${step.errs.rating} />
    </fieldset>
    <${TextField} id=${ids.comment} label=${t('case.rate.comment')} value=${v.comment} onInput=${(comment) => set({ comment })} error=${step.errs.comment} rows="2" />
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <${Buttons} ctx=${ctx} action=${action} step=${step} onClose=${onClose} />
  </form>`;
}

/** extensions, suspensions: a request for more time (no If-Match; pending until decided). */
function AskForm({ action, ctx, onClose }) {
  const ids = useMemo(() => ({ reason: uid('ar'), amount: uid('aa'), unit: uid('au') }), []);
  const [v, set] = useDraft(ctx, action, { reason: '', amount: '1', unit: 'working_days' });
  const step = useStepForm(ctx, ['reason', 'amount', 'unit']);
  const extend = action === 'extensions';
  async function submit(e) {
    e.preventDefault();
    if (!v.reason.trim()) {
      step.setErrs({ reason: t('case.reasonRequired') });
      return;
    }
    const body = { reason: v.reason.trim() };
    if (extend) Object.assign(body, { amount: Number(v.amount), unit: v.unit });
    const out = await step.submit(`/incidents/${ctx.incident.id}/${action}`, body, { ifMatch: false });
    if (out) {
      delete ctx.drafts[action];
      finish(ctx, extend ? 'extension_requested' : 'suspend_requested', null, onClose);
    }
  }
  return html`<form onSubmit=${submit} class="case-form" noValidate>
    <${TextField} id=${ids.reason} label=${t('case.reason')} value=${v.reason} onInput=${(reason) => set({ reason })} error=${step.errs.reason} required />
    ${extend &&
    html`<div class="case-row">
      <div class="field">
        <label for=${ids.amount}>${t('case.ask.amount')}</label>
        <input id=${ids.amount} type="number" min="1" max="365" value=${v.amount}
          aria-invalid=${step.errs.amount ? 'true' : undefined}
          onInput=${(e) => set({ amount: e.currentTarget.value })} />
        <${FieldError} id=${`${ids.amount}-err`} text=${step.errs.amount} />
      </div>
      <div class="field">
        <label for=${ids.unit}>${t('case.ask.unit')}</label>
        <select id=${ids.unit} value=${v.unit} onChange=${(e) => set({ unit: e.currentTarget.value })}>
          ${['working_hours', 'working_days', 'calendar_hours'].map(
            (u) => html`<option key=${u} value=${u}>${t(`case.unit.${u}`, { n: '' }).trim()}</option>`,
          )}
        </select>
      </div>
    </div>`}
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <${Buttons} ctx=${ctx} action=${action} step=${step} onClose=${onClose} />
  </form>`;
}

const FORMS = {
  extensions: AskForm,
  suspensions: AskForm,
  accept: NoteForm,
  acknowledge: NoteForm,
  verify: NoteForm,
  reject: RejectForm,
  dispatch: DispatchForm,
  assists: AssistsForm,
  return: ReasonForm,
  reopen: ReasonForm,
  resolve: ResolveForm,
  resolve_on_spot: ResolveForm,
  rate: RateForm,
};
