// Routing rules 分拨规则 (administrators): the table, a form to add or change a
// rule, deleting with confirmation, and "where would this go?" — a preview
// of the decision routing would take for a category at a point, with its
// explanation in the reader's language.
//
// API: GET/POST /api/v1/routing-rules, GET/PUT/DELETE /api/v1/routing-rules/{id}
// (PUT with If-Match), POST /api/v1/routing/preview?lang=…
// URL: ?category=&area=&q= (table filters), ?edit=<id>|new (the form),
// ?rule=<id> (a row to point at), ?pc=&pg=&plng=&plat=&pat=&pp= (the preview).

import { html, useState, useEffect, useRef, useMemo } from '../vendor/htm-preact.js';
import { api, ApiError } from '../lib/api.js';
import {
  t, addStrings, fmtTime, useLocale, locale, localName, categories, categoryName, loadCategories,
  priorityLabel, PRIORITIES,
} from '../lib/i18n.js';
import { setParams } from '../lib/router.js';
import { useMe } from '../lib/session.js';
import {
  AreaPicker, ErrorBox, Modal, fieldErrorsOf, useAreas, areaLabel, getArea, charCount, useId,
} from './notices.js';

const NAME_MAX = 100;
const TARGET_KINDS = ['party_of_kind', 'party', 'mediator', 'grid_workers', 'grid_chief', 'on_duty', 'dispatcher'];
const ASSIST_KINDS = ['party_of_kind', 'party', 'mediator'];
const PARTY_KINDS = [
  'community_committee', 'subdistrict_office', 'government_department', 'urban_management', 'rescue_station',
  'heating_company', 'property_company', 'police_station', 'mediation_committee', 'utility',
];
const DISPATCH_LEVELS = ['community', 'subdistrict', 'district'];
const MODES = ['auto_dispatch', 'triage'];

// ---------------------------------------------------------------- reference data

let partiesPromise = null;
function loadParties() {
  if (!partiesPromise) {
    partiesPromise = api.all('/parties').catch((e) => {
      partiesPromise = null;
      throw e;
    });
  }
  return partiesPromise;
}

function useParties() {
  const [parties, setParties] = useState(null);
  const [error, setError] = useState(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let alive = true;
    setError(null);
    loadParties().then((p) => alive && setParties(p), (e) => alive && setError(e));
    return () => {
      alive = false;
    };
  }, [n]);
  const byCode = useMemo(() => new Map((parties || []).map((p) => [p.code, p])), [parties]);
  return { parties, byCode, error, retry: () => setN((x) => x + 1) };
}

function useCategories() {
  const l = useLocale();
  const [list, setList] = useState(categories());
  useEffect(() => {
    let alive = true;
    loadCategories().then((c) => alive && setList(c), () => {});
    return () => {
      alive = false;
    };
  }, []);
  return { list, l };
}

const userNames = new Map(); // id → Promise<string>
function useUserNames(ids) {
  const key = [...new Set(ids.filter((x) => x && x !== 'system'))].sort().join(',');
  const [names, setNames] = useState({});
  useEffect(() => {
    let alive = true;
    for (const id of key ? key.split(',') : []) {
      let p = userNames.get(id);
      if (!p) {
        p = api.get(`/users/${encodeURIComponent(id)}`).then((u) => u.display_name || u.username, () => null);
        userNames.set(id, p);
      }
      p.then((name) => alive && name && setNames((m) => (m[id] ? m : { ...m, [id]: name })));
    }
    return () => {
      alive = false;
    };
  }, [key]);
  return names;
}

function catDepth(code) {
  return (code.match(/\./g) || []).length;
}

/** `<option>`s of the category tree, children indented. */
function categoryOptions(list) {
  return list.map(
    (c) => html`<option key=${c.code} value=${c.code}>${'\u3000'.repeat(catDepth(c.code))}${locale() === 'en' ? c.label_en || c.label_zh : c.label_zh || c.label_en}</option>`,
  );
}

function partyKindLabel(k) {
  return t(`rules.party_kind.${k}`);
}

function partyName(byCode, code) {
  const p = byCode.get(code);
  return p ? localName(p) : code;
}

/** A target in words: "就近的热力公司", "社区调度员", "中原区热力公司". */
function targetText(target, byCode) {
  if (!target) return '';
  switch (target.kind) {
    case 'party':
      return partyName(byCode, target.party);
    case 'party_of_kind':
      return t('rules.target_x.party_of_kind', { kind: partyKindLabel(target.party_kind) });
    case 'dispatcher':
      return t('rules.target_x.dispatcher', { level: t(`rules.level.${target.level}`) });
    default:
      return t(`rules.target.${target.kind}`);
  }
}

function windowText(w) {
  if (!w) return '';
  const overnight = w.to <= w.from;
  return `${w.from}–${w.to}${overnight ? ` ${t('rules.overnight')}` : ''}`;
}

function inSubtree(code, filter) {
  return code === filter || code.startsWith(`${filter}.`);
}

// ---------------------------------------------------------------- screen

export function RulesScreen({ route }) {
  useLocale();
  const me = useMe();
  if (!me) return html`<p class="rules-muted" role="status">${t('common.loading')}</p>`;
  const isAdmin = (me.roles || []).some((g) => g.role === 'admin');
  if (!isAdmin) {
    return html`<section class="panel rules-denied" aria-labelledby="rules-h">
      <h1 id="rules-h" class="rules-h">${t('rules.title')}</h1>
      <p>${t('rules.admins_only')}</p>
    </section>`;
  }
  return html`<${RulesAdmin} params=${route.params} />`;
}

function RulesAdmin({ params }) {
  useLocale();
  const [rules, setRules] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  const [flash, setFlash] = useState('');
  const [deleting, setDeleting] = useState(null);
  const { byCode, error: partiesError, retry: retryParties, parties } = useParties();
  useCategories();

  const fCategory = params.get('category') || '';
  const fArea = params.get('area') || '';
  const fQ = params.get('q') || '';
  const edit = params.get('edit') || '';
  const pointed = params.get('rule') || '';

  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      const body = await api.get('/routing-rules');
      setRules(body.items || []);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load();
  }, []);

  const areaCodes = useMemo(() => [...new Set([...(rules || []).map((r) => r.area).filter(Boolean), fArea].filter(Boolean))], [rules, fArea]);
  const areas = useAreas(areaCodes);
  const users = useUserNames((rules || []).map((r) => r.updated_by));

  const shown = useMemo(() => {
    if (!rules) return [];
    const q = fQ.trim().toLowerCase();
    return rules.filter((r) => {
      if (fCategory && !(r.category && inSubtree(r.category, fCategory))) return false;
      if (fArea) {
        if (!r.area) return false;
        if (r.area !== fArea) {
          const a = areas[r.area];
          if (!a || !(a.ancestors || []).some((x) => x.code === fArea)) return false;
        }
      }
      if (q && !r.name.toLowerCase().includes(q) && !(r.category || '').includes(q)) return false;
      return true;
    });
  }, [rules, fCategory, fArea, fQ, areas]);

  useEffect(() => {
    if (!pointed || !rules) return;
    const row = document.getElementById(`rules-row-${pointed}`);
    if (row) {
      row.scrollIntoView({ block: 'center' });
      const b = row.querySelector('button');
      if (b) b.focus({ preventScroll: true });
    }
  }, [pointed, rules]);

  const saved = (rule, created) => {
    setParams({ edit: null, rule: rule.id });
    setFlash(t(created ? 'rules.flash.created' : 'rules.flash.saved', { name: rule.name }));
    load();
  };

  const confirmDelete = async () => {
    const rule = deleting.rule;
    setDeleting({ ...deleting, busy: true, error: null });
    try {
      await api.del(`/routing-rules/${encodeURIComponent(rule.id)}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) {
        setDeleting({ rule, busy: false, error: e });
        return;
      }
    }
    setDeleting(null);
    setFlash(t('rules.flash.deleted', { name: rule.name }));
    if (pointed === rule.id) setParams({ rule: null });
    load();
  };

  const filtered = fCategory || fArea || fQ;
  return html`<div class="rules-screen">
    <section class="panel rules-main" aria-labelledby="rules-h">
      <div class="rules-head">
        <h1 id="rules-h" class="rules-h">${t('rules.title')}</h1>
        <p class="rules-muted">${t('rules.lead')}</p>
        <button type="button" class="btn btn-primary rules-new" onClick=${() => setParams({ edit: 'new' }, { replace: false })}>
          ${t('rules.new')}
        </button>
      </div>
      <form class="toolbar rules-filters" role="search" aria-label=${t('rules.filters')} onSubmit=${(e) => e.preventDefault()}>
        <div class="field rules-filter">
          <label for="rules-f-category">${t('rules.col.category')}</label>
          <select id="rules-f-category" value=${fCategory} onChange=${(e) => setParams({ category: e.currentTarget.value })}>
            <option value="">${t('rules.any_category')}</option>
            ${categoryOptions(categories())}
          </select>
        </div>
        <${AreaPicker}
          legend=${t('rules.col.area')}
          value=${fArea}
          roots=${null}
          anyLabel=${t('rules.any_area')}
          maxLevel="grid"
          onChange=${(v) => setParams({ area: v })}
        />
        <div class="field rules-filter">
          <label for="rules-f-q">${t('rules.search')}</label>
          <input id="rules-f-q" type="search" value=${fQ} onInput=${(e) => setParams({ q: e.currentTarget.value })} />
        </div>
        ${filtered &&
        html`<button type="button" class="btn rules-clear" onClick=${() => setParams({ category: null, area: null, q: null })}>
          ${t('rules.clear')}
        </button>`}
      </form>
      <p class="rules-flash" role="status">${flash}</p>
      ${partiesError && html`<${ErrorBox} error=${partiesError} onRetry=${retryParties} />`}
      ${error
        ? html`<${ErrorBox} error=${error} onRetry=${load} />`
        : !rules
          ? html`<p class="rules-muted" role="status">${t('common.loading')}</p>`
          : html`<${RuleTable}
              rules=${shown}
              total=${rules.length}
              areas=${areas}
              byCode=${byCode}
              users=${users}
              pointed=${pointed}
              loading=${loading}
              onEdit=${(r) => setParams({ edit: r.id, rule: r.id }, { replace: false })}
              onDelete=${(r) => setDeleting({ rule: r, busy: false, error: null })}
            />`}
    </section>
    <${PreviewPanel} params=${params} byCode=${byCode} rules=${rules || []} />
    ${edit &&
    html`<${RuleEditor}
      key=${edit}
      id=${edit}
      rules=${rules || []}
      parties=${parties}
      byCode=${byCode}
      onClose=${() => setParams({ edit: null })}
      onSaved=${saved}
    />`}
    ${deleting &&
    html`<${Modal} title=${t('rules.delete.title')} onClose=${() => !deleting.busy && setDeleting(null)}>
      <p>${t('rules.delete.confirm', { name: deleting.rule.name })}</p>
      <p class="rules-muted">${t('rules.delete.note')}</p>
      <${ErrorBox} error=${deleting.error} />
      <div class="rules-actions">
        <button type="button" class="btn btn-danger" disabled=${deleting.busy} onClick=${confirmDelete}>
          ${deleting.busy ? t('rules.deleting') : t('rules.delete')}
        </button>
        <button type="button" class="btn" autofocus disabled=${deleting.busy} onClick=${() => setDeleting(null)}>
          ${t('common.cancel')}
        </button>
      </div>
    <//>`}
  </div>`;
}

function RuleTable({ rules, total, areas, byCode, users, pointed, loading, onEdit, onDelete }) {
  useLocale();
  if (!total) return html`<p class="rules-empty">${t('rules.empty')}</p>`;
  return html`<div class="rules-table-wrap">
    <table class="rules-table" aria-busy=${loading ? 'true' : 'false'}>
      <caption class="rules-caption">${t('rules.caption', { n: rules.length, total })}</caption>
      <thead>
        <tr>
          <th scope="col">${t('rules.col.name')}</th>
          <th scope="col">${t('rules.col.category')}</th>
          <th scope="col">${t('rules.col.area')}</th>
          <th scope="col">${t('rules.col.window')}</th>
          <th scope="col">${t('rules.col.priority')}</th>
          <th scope="col">${t('rules.col.target')}</th>
          <th scope="col">${t('rules.col.assists')}</th>
          <th scope="col">${t('rules.col.mode')}</th>
          <th scope="col">${t('rules.col.updated')}</th>
          <th scope="col"><span class="rules-sr">${t('rules.col.actions')}</span></th>
        </tr>
      </thead>
      <tbody>
        ${rules.length
          ? rules.map(
              (r) => html`<tr key=${r.id} id=${`rules-row-${r.id}`} class=${r.id === pointed ? 'is-pointed' : ''}>
                <th scope="row" class="rules-name">${r.name}</th>
                <td class="rules-c-cat">${r.category ? categoryName(r.category) : html`<span class="rules-any">${t('rules.any')}</span>`}</td>
                <td class="rules-c-cat">${r.area ? areaLabel(areas, r.area) : html`<span class="rules-any">${t('rules.any')}</span>`}</td>
                <td class="rules-nowrap">${r.window ? windowText(r.window) : html`<span class="rules-any">${t('rules.always')}</span>`}</td>
                <td class="rules-c-short">${r.priority ? priorityLabel(r.priority) : html`<span class="rules-any">${t('rules.any')}</span>`}</td>
                <td class="rules-c-target">${targetText(r.target, byCode)}</td>
                <td class="rules-c-target">${r.assists.length ? r.assists.map((a) => targetText(a, byCode)).join(t('rules.list_sep')) : ''}</td>
                <td class="rules-c-short"><span class=${`badge rules-mode-${r.mode}`}>${t(`rules.mode.${r.mode}`)}</span></td>
                <td class="rules-updated">
                  ${fmtTime(r.updated_at)}
                  <span class="rules-muted">${r.updated_by === 'system' ? t('rules.system') : users[r.updated_by] || ''}</span>
                </td>
                <td class="rules-row-actions">
                  <button type="button" class="btn" aria-label=${t('rules.edit_x', { name: r.name })} onClick=${() => onEdit(r)}>
                    ${t('rules.edit')}
                  </button>
                  <button type="button" class="btn btn-danger" aria-label=${t('rules.delete_x', { name: r.name })} onClick=${() => onDelete(r)}>
                    ${t('rules.delete')}
                  </button>
                </td>
              </tr>`,
            )
          : html`<tr><td colspan="10" class="rules-empty">${t('rules.none_match')}</td></tr>`}
      </tbody>
    </table>
  </div>`;
}

// ---------------------------------------------------------------- the form

function emptyTarget(kind) {
  return { kind, party: '', party_kind: '', level: 'community' };
}

function formOf(rule) {
  if (!rule) {
    return {
      name: '', category: '', area: '', windowOn: false, from: '22:00', to: '07:00', priority: '',
      target: emptyTarget('party_of_kind'), assists: [], mode: 'auto_dispatch',
    };
  }
  const tgt = (x) => ({ ...emptyTarget(x.kind), ...x });
  return {
    name: rule.name,
    category: rule.category || '',
    area: rule.area || '',
    windowOn: !!rule.window,
    from: rule.window ? rule.window.from : '22:00',
    to: rule.window ? rule.window.to : '07:00',
    priority: rule.priority || '',
    target: tgt(rule.target),
    assists: (rule.assists || []).map(tgt),
    mode: rule.mode,
  };
}

function targetOut(x) {
  switch (x.kind) {
    case 'party':
      return { kind: 'party', party: x.party };
    case 'party_of_kind':
      return { kind: 'party_of_kind', party_kind: x.party_kind };
    case 'dispatcher':
      return { kind: 'dispatcher', level: x.level };
    default:
      return { kind: x.kind };
  }
}

function requestOf(f) {
  return {
    name: f.name.trim(),
    category: f.category || null,
    area: f.area || null,
    window: f.windowOn ? { from: f.from, to: f.to } : null,
    priority: f.priority || null,
    target: targetOut(f.target),
    assists: f.assists.map(targetOut),
    mode: f.mode,
  };
}

function validateForm(f) {
  const e = {};
  const n = charCount(f.name.trim());
  if (n < 1) e.name = t('rules.err.required');
  else if (n > NAME_MAX) e.name = t('rules.err.too_long', { max: NAME_MAX, n });
  if (f.windowOn) {
    if (!/^\d{2}:\d{2}$/.test(f.from)) e['window.from'] = t('rules.err.time');
    if (!/^\d{2}:\d{2}$/.test(f.to)) e['window.to'] = t('rules.err.time');
    if (!e['window.from'] && !e['window.to'] && f.from === f.to) e.window = t('rules.err.window_empty');
  }
  if (f.target.kind === 'party' && !f.target.party) e['target.party'] = t('rules.err.party');
  if (f.target.kind === 'party_of_kind' && !f.target.party_kind) e['target.party_kind'] = t('rules.err.party_kind');
  f.assists.forEach((a, i) => {
    if (a.kind === 'party' && !a.party) e[`assists[${i}].party`] = t('rules.err.party');
    if (a.kind === 'party_of_kind' && !a.party_kind) e[`assists[${i}].party_kind`] = t('rules.err.party_kind');
    const same = JSON.stringify(targetOut(a)) === JSON.stringify(targetOut(f.target));
    if (same) e[`assists[${i}]`] = t('rules.err.assist_is_target');
  });
  return e;
}

/** The conflicting rule of a 409: the extension member, else read from the detail. */
function conflictOf(err) {
  const p = err.problem || {};
  return p.existing_rule && p.existing_rule.id ? p.existing_rule : null;
}

function RuleEditor({ id, rules, parties, byCode, onClose, onSaved }) {
  useLocale();
  const isNew = id === 'new';
  const fid = useId('rule');
  const [form, setForm] = useState(isNew ? formOf(null) : null);
  const [etag, setEtag] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [saving, setSaving] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [stale, setStale] = useState(false);

  useEffect(() => {
    if (isNew) return undefined;
    let alive = true;
    setLoadError(null);
    api.getWithEtag(`/routing-rules/${encodeURIComponent(id)}`).then(
      ({ body, etag: e }) => {
        if (!alive) return;
        setForm(formOf(body));
        setEtag(e || `"${body.version}"`);
        setStale(false);
        setFailure(null);
        setErrors({});
      },
      (e) => alive && setLoadError(e),
    );
    return () => {
      alive = false;
    };
  }, [id, attempt]);

  const set = (patch) => setForm((f) => ({ ...f, ...patch }));
  const clearErr = (...keys) =>
    setErrors((x) => {
      const y = { ...x };
      for (const k of keys) delete y[k];
      return y;
    });

  const submit = async (ev) => {
    ev.preventDefault();
    setFailure(null);
    const e = validateForm(form);
    setErrors(e);
    if (Object.keys(e).length) {
      focusError(fid, e);
      return;
    }
    setSaving(true);
    try {
      const body = requestOf(form);
      const rule = isNew
        ? await api.post('/routing-rules', body)
        : await api.put(`/routing-rules/${encodeURIComponent(id)}`, body, { ifMatch: etag });
      onSaved(rule, isNew);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.problem.errors) {
        const fe = fieldErrorsOf(err, { base: false });
        setErrors(fe);
        focusError(fid, fe);
      } else {
        if (err instanceof ApiError && err.status === 412) setStale(true);
        setFailure(err);
      }
    } finally {
      setSaving(false);
    }
  };

  const conflict = failure && failure instanceof ApiError && failure.status === 409 ? conflictOf(failure) : null;
  const conflictRule = conflict && rules.find((r) => r.id === conflict.id);
  const conflictAreas = useAreas(conflictRule && conflictRule.area ? [conflictRule.area] : []);

  // A refusal is shown under the form: bring it into view.
  useEffect(() => {
    if (!failure) return;
    const box = document.querySelector('dialog[open] .rules-form .notices-error');
    if (box) box.scrollIntoView({ block: 'nearest' });
  }, [failure]);

  // The form arrives after the dialog opened (an edit reads the rule first).
  const focused = useRef(false);
  useEffect(() => {
    if (form && !focused.current) {
      focused.current = true;
      const el = document.getElementById(`${fid}-name`);
      if (el) el.focus();
    }
  }, [form]);

  const title = isNew ? t('rules.form.new') : t('rules.form.edit');
  if (!form) {
    return html`<${Modal} title=${title} onClose=${onClose}>
      ${loadError
        ? loadError instanceof ApiError && loadError.status === 404
          ? html`<p role="alert">${t('rules.form.gone')}</p>`
          : html`<${ErrorBox} error=${loadError} onRetry=${() => setAttempt((n) => n + 1)} />`
        : html`<p class="rules-muted" role="status">${t('common.loading')}</p>`}
    <//>`;
  }

  const err = (k) => errors[k];
  const errP = (k) => err(k) && html`<p class="notices-field-error" id=${`${fid}-${k.replace(/\W/g, '_')}-err`}>${err(k)}</p>`;
  const aria = (...keys) => {
    const bad = keys.filter((k) => err(k));
    return {
      'aria-invalid': bad.length ? 'true' : undefined,
      'aria-describedby': bad.length ? bad.map((k) => `${fid}-${k.replace(/\W/g, '_')}-err`).join(' ') : undefined,
    };
  };
  const known = new Set([
    'name', 'category', 'area', 'window', 'window.from', 'window.to', 'priority', 'target', 'target.party',
    'target.party_kind', 'target.level', 'assists', 'mode',
  ]);
  const otherErrors = Object.entries(errors).filter(
    ([k]) => !known.has(k) && !/^assists\[\d+\](\.(party|party_kind|kind))?$/.test(k),
  );

  return html`<${Modal} title=${title} onClose=${() => !saving && onClose()} wide>
    <form class="rules-form" onSubmit=${submit} noValidate>
      <div class="field rules-field">
        <label for=${`${fid}-name`}>${t('rules.col.name')}</label>
        <input
          id=${`${fid}-name`}
          type="text"
          value=${form.name}
          autofocus
          autocomplete="off"
          ...${aria('name')}
          onInput=${(e) => {
            set({ name: e.currentTarget.value });
            clearErr('name');
          }}
        />
        <span class="notices-count">${t('notices.count', { n: charCount(form.name.trim()), max: NAME_MAX })}</span>
        ${errP('name')}
      </div>

      <fieldset class="rules-group">
        <legend>${t('rules.form.when')}</legend>
        <p class="notices-hint">${t('rules.form.when_hint')}</p>
        <div class="field rules-field">
          <label for=${`${fid}-category`}>${t('rules.col.category')}</label>
          <select
            id=${`${fid}-category`}
            value=${form.category}
            ...${aria('category')}
            onChange=${(e) => {
              set({ category: e.currentTarget.value });
              clearErr('category');
            }}
          >
            <option value="">${t('rules.any_category')}</option>
            ${categoryOptions(categories())}
          </select>
          ${errP('category')}
        </div>
        <${AreaPicker}
          legend=${t('rules.col.area')}
          value=${form.area}
          roots=${null}
          anyLabel=${t('rules.any_area')}
          onChange=${(v) => {
            set({ area: v });
            clearErr('area');
          }}
          error=${err('area')}
        />
        <div class="rules-row">
          <label class="notices-check">
            <input
              type="checkbox"
              id=${`${fid}-window`}
              checked=${form.windowOn}
              onChange=${(e) => {
                set({ windowOn: e.currentTarget.checked });
                clearErr('window', 'window.from', 'window.to');
              }}
            />
            ${t('rules.form.window_on')}
          </label>
          ${form.windowOn &&
          html`<span class="rules-window">
            <label for=${`${fid}-from`}>${t('rules.form.from')}</label>
            <input
              id=${`${fid}-from`}
              type="time"
              value=${form.from}
              ...${aria('window.from', 'window')}
              onInput=${(e) => {
                set({ from: e.currentTarget.value });
                clearErr('window', 'window.from');
              }}
            />
            <label for=${`${fid}-to`}>${t('rules.form.to')}</label>
            <input
              id=${`${fid}-to`}
              type="time"
              value=${form.to}
              ...${aria('window.to', 'window')}
              onInput=${(e) => {
                set({ to: e.currentTarget.value });
                clearErr('window', 'window.to');
              }}
            />
            ${form.to && form.from && form.to < form.from && html`<span class="rules-muted">${t('rules.overnight')}</span>`}
          </span>`}
        </div>
        <p class="notices-hint">${t('rules.form.window_hint')}</p>
        ${errP('window')}${errP('window.from')}${errP('window.to')}
        <div class="field rules-field">
          <label for=${`${fid}-priority`}>${t('rules.col.priority')}</label>
          <select
            id=${`${fid}-priority`}
            value=${form.priority}
            ...${aria('priority')}
            onChange=${(e) => set({ priority: e.currentTarget.value })}
          >
            <option value="">${t('rules.any_priority')}</option>
            ${PRIORITIES.map((p) => html`<option key=${p} value=${p}>${priorityLabel(p)}</option>`)}
          </select>
          ${errP('priority')}
        </div>
      </fieldset>

      <fieldset class="rules-group">
        <legend>${t('rules.form.then')}</legend>
        <${TargetFields}
          fid=${`${fid}-target`}
          label=${t('rules.col.target')}
          kinds=${TARGET_KINDS}
          value=${form.target}
          parties=${parties}
          errors=${{ kind: err('target'), party: err('target.party'), party_kind: err('target.party_kind') }}
          onChange=${(v) => {
            set({ target: v });
            clearErr('target', 'target.party', 'target.party_kind');
          }}
        />
        <div class="rules-assists">
          <p class="rules-sublabel" id=${`${fid}-assists-h`}>${t('rules.col.assists')}</p>
          ${form.assists.length === 0 && html`<p class="rules-muted">${t('rules.form.no_assists')}</p>`}
          <ol class="rules-assist-list" aria-labelledby=${`${fid}-assists-h`}>
            ${form.assists.map(
              (a, i) => html`<li key=${i} class="rules-assist">
                <${TargetFields}
                  fid=${`${fid}-assist-${i}`}
                  label=${t('rules.form.assist_n', { n: i + 1 })}
                  kinds=${ASSIST_KINDS}
                  value=${a}
                  parties=${parties}
                  errors=${{
                    kind: err(`assists[${i}]`) || err(`assists[${i}].kind`),
                    party: err(`assists[${i}].party`),
                    party_kind: err(`assists[${i}].party_kind`),
                  }}
                  onChange=${(v) => {
                    set({ assists: form.assists.map((x, j) => (j === i ? v : x)) });
                    clearErr(`assists[${i}]`, `assists[${i}].party`, `assists[${i}].party_kind`, 'assists');
                  }}
                />
                <button
                  type="button"
                  class="btn"
                  aria-label=${t('rules.form.remove_assist_n', { n: i + 1 })}
                  onClick=${() => {
                    set({ assists: form.assists.filter((_, j) => j !== i) });
                    setErrors({});
                  }}
                >
                  ${t('rules.form.remove')}
                </button>
              </li>`,
            )}
          </ol>
          ${errP('assists')}
          <button
            type="button"
            class="btn"
            onClick=${() => {
              set({ assists: [...form.assists, emptyTarget('party_of_kind')] });
              setTimeout(() => {
                const el = document.getElementById(`${fid}-assist-${form.assists.length}-kind`);
                if (el) el.focus();
              }, 0);
            }}
          >
            ${t('rules.form.add_assist')}
          </button>
        </div>
        <fieldset class="rules-mode" ...${aria('mode')}>
          <legend>${t('rules.col.mode')}</legend>
          ${MODES.map(
            (m) => html`<label key=${m} class="notices-check">
              <input type="radio" name=${`${fid}-mode`} value=${m} checked=${form.mode === m} onChange=${() => set({ mode: m })} />
              ${t(`rules.mode.${m}`)}
              <span class="rules-muted"> — ${t(`rules.mode_hint.${m}`)}</span>
            </label>`,
          )}
          ${errP('mode')}
        </fieldset>
      </fieldset>

      ${failure &&
      html`<${ErrorBox} error=${failure} hideDetail=${!!conflict || stale}>
        ${conflict &&
        html`<div class="rules-conflict">
          <p>${t('rules.err.conflict', { name: conflict.name })}</p>
          ${conflictRule &&
          html`<p class="rules-muted">${[
            `${t('rules.col.category')}: ${conflictRule.category ? categoryName(conflictRule.category) : t('rules.any')}`,
            `${t('rules.col.area')}: ${conflictRule.area ? areaLabel(conflictAreas, conflictRule.area) : t('rules.any')}`,
            `${t('rules.col.window')}: ${conflictRule.window ? windowText(conflictRule.window) : t('rules.always')}`,
            `${t('rules.col.priority')}: ${conflictRule.priority ? priorityLabel(conflictRule.priority) : t('rules.any')}`,
            `${t('rules.col.target')}: ${targetText(conflictRule.target, byCode)}`,
          ].join(' · ')}</p>`}
        </div>`}
        ${stale &&
        html`<p>
          ${t('rules.err.stale')}
          ${' '}<button type="button" class="btn" onClick=${() => setAttempt((n) => n + 1)}>${t('rules.reload_rule')}</button>
        </p>`}
      <//>`}
      ${otherErrors.length > 0 &&
      html`<ul class="notices-error" role="alert">
        ${otherErrors.map(([k, m]) => html`<li key=${k}>${k}: ${m}</li>`)}
      </ul>`}
      <div class="rules-actions">
        <button type="submit" class="btn btn-primary" disabled=${saving}>${saving ? t('rules.saving') : t('common.save')}</button>
        <button type="button" class="btn" disabled=${saving} onClick=${onClose}>${t('common.cancel')}</button>
      </div>
    </form>
  <//>`;
}

/** Focuses the first field with an error; false when none of them is on the form. */
function focusError(fid, e) {
  const order = [
    ['name', 'name'], ['category', 'category'], ['window.from', 'from'], ['window.to', 'to'], ['window', 'from'],
    ['target', 'target-kind'], ['target.party', 'target-party'], ['target.party_kind', 'target-party_kind'],
  ];
  for (const [k, suffix] of order) {
    if (e[k]) {
      const el = document.getElementById(`${fid}-${suffix}`);
      if (el) {
        el.focus();
        return true;
      }
    }
  }
  for (const k of Object.keys(e)) {
    const m = /^assists\[(\d+)\](?:\.(party|party_kind))?/.exec(k);
    if (m) {
      const el = document.getElementById(`${fid}-assist-${m[1]}-${m[2] || 'kind'}`);
      if (el) {
        el.focus();
        return true;
      }
    }
  }
  if (e.area) {
    const el = document.querySelector('.rules-form .notices-areapicker select');
    if (el) {
      el.focus();
      return true;
    }
  }
  return false;
}

function TargetFields({ fid, label, kinds, value, parties, errors, onChange }) {
  useLocale();
  const errId = (k) => `${fid}-${k}-err`;
  const aria = (k) => (errors[k] ? { 'aria-invalid': 'true', 'aria-describedby': errId(k) } : {});
  const groups = useMemo(() => {
    const m = new Map();
    for (const p of parties || []) {
      if (!m.has(p.kind)) m.set(p.kind, []);
      m.get(p.kind).push(p);
    }
    return [...m.entries()];
  }, [parties]);
  return html`<div class="rules-target">
    <div class="field rules-field">
      <label for=${`${fid}-kind`}>${label}</label>
      <select id=${`${fid}-kind`} value=${value.kind} ...${aria('kind')} onChange=${(e) => onChange(emptyTarget(e.currentTarget.value))}>
        ${kinds.map((k) => html`<option key=${k} value=${k}>${t(`rules.target.${k}`)}</option>`)}
      </select>
    </div>
    ${value.kind === 'party' &&
    html`<div class="field rules-field">
      <label for=${`${fid}-party`}>${t('rules.form.party')}</label>
      <select id=${`${fid}-party`} value=${value.party} ...${aria('party')} onChange=${(e) => onChange({ ...value, party: e.currentTarget.value })}>
        <option value="">${parties ? t('notices.area.choose') : t('common.loading')}</option>
        ${value.party && parties && !parties.some((p) => p.code === value.party) && html`<option value=${value.party}>${value.party}</option>`}
        ${groups.map(
          ([kind, list]) => html`<optgroup key=${kind} label=${partyKindLabel(kind)}>
            ${list.map((p) => html`<option key=${p.code} value=${p.code}>${localName(p)}</option>`)}
          </optgroup>`,
        )}
      </select>
    </div>`}
    ${value.kind === 'party_of_kind' &&
    html`<div class="field rules-field">
      <label for=${`${fid}-party_kind`}>${t('rules.form.party_kind')}</label>
      <select
        id=${`${fid}-party_kind`}
        value=${value.party_kind}
        ...${aria('party_kind')}
        onChange=${(e) => onChange({ ...value, party_kind: e.currentTarget.value })}
      >
        <option value="">${t('notices.area.choose')}</option>
        ${PARTY_KINDS.map((k) => html`<option key=${k} value=${k}>${partyKindLabel(k)}</option>`)}
      </select>
    </div>`}
    ${value.kind === 'dispatcher' &&
    html`<div class="field rules-field">
      <label for=${`${fid}-level`}>${t('rules.form.level')}</label>
      <select id=${`${fid}-level`} value=${value.level} onChange=${(e) => onChange({ ...value, level: e.currentTarget.value })}>
        ${DISPATCH_LEVELS.map((l) => html`<option key=${l} value=${l}>${t(`rules.level.${l}`)}</option>`)}
      </select>
    </div>`}
    ${['kind', 'party', 'party_kind'].map((k) => errors[k] && html`<p key=${k} class="notices-field-error" id=${errId(k)}>${errors[k]}</p>`)}
  </div>`;
}

// ---------------------------------------------------------------- preview

function ringArea(r) {
  let a = 0;
  for (let i = 0; i + 1 < r.length; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return a / 2;
}

function ringCentroid(r) {
  let a = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i + 1 < r.length; i++) {
    const f = r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
    a += f;
    x += (r[i][0] + r[i + 1][0]) * f;
    y += (r[i][1] + r[i + 1][1]) * f;
  }
  if (!a) return r[0] ? [r[0][0], r[0][1]] : null;
  return [x / (3 * a), y / (3 * a)];
}

function inRing([px, py], r) {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i];
    const [xj, yj] = r[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A point well inside a (Multi)Polygon: its centroid, else the middle of its widest span. */
export function interiorPoint(geometry) {
  if (!geometry) return null;
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  let best = null;
  let bestA = -1;
  for (const p of polys) {
    const a = Math.abs(ringArea(p[0] || []));
    if (a > bestA) {
      bestA = a;
      best = p;
    }
  }
  if (!best || !best[0] || !best[0].length) return null;
  const inPoly = (pt) => inRing(pt, best[0]) && !best.slice(1).some((h) => inRing(pt, h));
  const c = ringCentroid(best[0]);
  if (c && inPoly(c)) return c;
  const ys = best[0].map((p) => p[1]);
  const y = (Math.min(...ys) + Math.max(...ys)) / 2;
  const xs = [];
  for (const ring of best) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [x1, y1] = ring[i];
      const [x2, y2] = ring[i + 1];
      if (y1 <= y !== y2 <= y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
    }
  }
  xs.sort((a, b) => a - b);
  let bx = null;
  let bw = -1;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1] - xs[i] > bw) {
      bw = xs[i + 1] - xs[i];
      bx = (xs[i] + xs[i + 1]) / 2;
    }
  }
  return bx === null ? c : [bx, y];
}

const round6 = (x) => String(Math.round(x * 1e6) / 1e6);

function PreviewPanel({ params, byCode, rules }) {
  const l = useLocale();
  const fid = useId('preview');
  const pc = params.get('pc') || '';
  const pg = params.get('pg') || '';
  const plng = params.get('plng') || '';
  const plat = params.get('plat') || '';
  const pat = params.get('pat') || '';
  const pp = params.get('pp') || '';
  const [result, setResult] = useState(null);
  const [asked, setAsked] = useState(null); // the request the result answers
  const [failure, setFailure] = useState(null);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [gridNote, setGridNote] = useState('');
  const [pointFailure, setPointFailure] = useState(null);
  const resultRef = useRef(null);

  const pickGrid = async (code) => {
    setParams({ pg: code });
    setPointFailure(null);
    setErrors((x) => ({ ...x, location: undefined }));
    if (!code) {
      setGridNote('');
      return;
    }
    try {
      const area = await getArea(code);
      if (area.level !== 'grid' && area.level !== 'micro_grid') {
        setGridNote(t('rules.preview.pick_grid'));
        return;
      }
      setGridNote('');
      const feature = await api.get(`/areas/${encodeURIComponent(code)}/geometry`);
      const pt = interiorPoint(feature && feature.geometry);
      if (pt) setParams({ plng: round6(pt[0]), plat: round6(pt[1]) });
      else setGridNote(t('rules.preview.no_boundary'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setGridNote(t('rules.preview.no_boundary'));
      else setPointFailure(e);
    }
  };

  const run = async (req) => {
    setBusy(true);
    setFailure(null);
    try {
      const body = await api.post('/routing/preview', req, { params: { lang: locale() } });
      setResult(body);
      setAsked(req);
      setErrors({});
      return true;
    } catch (e) {
      const fe = e instanceof ApiError && e.status === 422 ? fieldErrorsOf(e) : {};
      setErrors(fe);
      setFailure(e);
      setResult(null);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const requestOfForm = () => {
    const e = {};
    if (!pc) e.category = t('rules.preview.err.category');
    const lng = Number(plng);
    const lat = Number(plat);
    if (plng === '' || !Number.isFinite(lng) || lng < -180 || lng > 180) e.lng = t('rules.preview.err.lng');
    if (plat === '' || !Number.isFinite(lat) || lat < -90 || lat > 90) e.lat = t('rules.preview.err.lat');
    if (pat && !/^\d{2}:\d{2}$/.test(pat)) e.at = t('rules.err.time');
    if (Object.keys(e).length) return { errors: e };
    const req = { category: pc, location: { type: 'Point', coordinates: [lng, lat] } };
    if (pat) req.at = pat;
    if (pp) req.priority = pp;
    return { req };
  };

  const submit = async (ev) => {
    ev.preventDefault();
    const { errors: e, req } = requestOfForm();
    if (e) {
      setErrors(e);
      const first = ['category', 'lng', 'lat', 'at'].find((k) => e[k]);
      const el = document.getElementById(`${fid}-${first}`);
      if (el) el.focus();
      return;
    }
    if (await run(req) && resultRef.current) resultRef.current.focus();
  };

  // A shared link (or a reload) with a full question answers it at once; a
  // language switch asks again for the explanation in the new language.
  useEffect(() => {
    const { req } = requestOfForm();
    if (req && (asked || (!result && !failure))) run(req);
  }, [l]);

  const err = (k) => errors[k];
  const aria = (k) => (err(k) ? { 'aria-invalid': 'true', 'aria-describedby': `${fid}-${k}-err` } : {});
  const errP = (k) => err(k) && html`<p class="notices-field-error" id=${`${fid}-${k}-err`}>${err(k)}</p>`;
  const locErr = err('location') || err('location.coordinates');
  // A 422 whose every field is shown beside its input needs no summary.
  const shownBeside =
    failure instanceof ApiError &&
    failure.status === 422 &&
    (failure.problem.errors || []).length > 0 &&
    failure.problem.errors.every((e) => ['category', 'location', 'at'].includes(String(e.field).split(/[.[]/)[0]));

  return html`<section class="panel rules-preview" aria-labelledby=${`${fid}-h`}>
    <h2 id=${`${fid}-h`} class="rules-h">${t('rules.preview.title')}</h2>
    <p class="rules-muted">${t('rules.preview.lead')}</p>
    <form class="rules-preview-form" onSubmit=${submit} noValidate>
      <div class="field rules-field">
        <label for=${`${fid}-category`}>${t('rules.col.category')}</label>
        <select id=${`${fid}-category`} value=${pc} ...${aria('category')} onChange=${(e) => {
          setParams({ pc: e.currentTarget.value });
          setErrors((x) => ({ ...x, category: undefined }));
        }}>
          <option value="">${t('notices.area.choose')}</option>
          ${categoryOptions(categories())}
        </select>
        ${errP('category')}
      </div>
      <${AreaPicker}
        legend=${t('rules.preview.grid')}
        value=${pg}
        roots=${null}
        anyLabel=${t('rules.preview.no_grid')}
        maxLevel="grid"
        onChange=${pickGrid}
        hint=${gridNote || t('rules.preview.grid_hint')}
      />
      ${pointFailure && html`<${ErrorBox} error=${pointFailure} onRetry=${() => pickGrid(pg)} />`}
      <div class="rules-row">
        <div class="field rules-field">
          <label for=${`${fid}-lng`}>${t('rules.preview.lng')}</label>
          <input id=${`${fid}-lng`} type="text" inputmode="decimal" value=${plng} ...${aria('lng')} size="12"
            onInput=${(e) => setParams({ plng: e.currentTarget.value.trim() })} />
          ${errP('lng')}
        </div>
        <div class="field rules-field">
          <label for=${`${fid}-lat`}>${t('rules.preview.lat')}</label>
          <input id=${`${fid}-lat`} type="text" inputmode="decimal" value=${plat} ...${aria('lat')} size="12"
            onInput=${(e) => setParams({ plat: e.currentTarget.value.trim() })} />
          ${errP('lat')}
        </div>
      </div>
      ${locErr && html`<p class="notices-field-error">${locErr}</p>`}
      <div class="rules-row">
        <div class="field rules-field">
          <label for=${`${fid}-at`}>${t('rules.preview.at')}</label>
          <input id=${`${fid}-at`} type="time" value=${pat} ...${aria('at')} onInput=${(e) => setParams({ pat: e.currentTarget.value })} />
          ${errP('at')}
        </div>
        <div class="field rules-field">
          <label for=${`${fid}-priority`}>${t('rules.col.priority')}</label>
          <select id=${`${fid}-priority`} value=${pp} onChange=${(e) => setParams({ pp: e.currentTarget.value })}>
            <option value="">${t('rules.preview.default_priority')}</option>
            ${PRIORITIES.map((p) => html`<option key=${p} value=${p}>${priorityLabel(p)}</option>`)}
          </select>
        </div>
      </div>
      <p class="notices-hint">${t('rules.preview.at_hint')}</p>
      <div class="rules-actions">
        <button type="submit" class="btn btn-primary" disabled=${busy}>${busy ? t('rules.preview.asking') : t('rules.preview.ask')}</button>
      </div>
    </form>
    ${failure && !shownBeside && html`<${ErrorBox} error=${failure} />`}
    <div ref=${resultRef} tabindex="-1" class="rules-result" aria-live="polite">
      ${result && html`<${PreviewResult} result=${result} byCode=${byCode} rules=${rules} />`}
    </div>
  </section>`;
}

function whyText(why) {
  if (!why) return '';
  switch (why.kind) {
    case 'shift':
      return t('rules.why.shift', { day: t(`rules.weekday.${why.weekday}`), from: why.starts, to: why.ends });
    case 'on_that_day':
      return t('rules.why.on_that_day', { date: why.date });
    case 'patrolling':
      return t('rules.why.patrolling');
    default:
      return why.kind;
  }
}

function PreviewResult({ result: r, byCode, rules }) {
  useLocale();
  const rec = r.recipient || {};
  const recipientText =
    rec.kind === 'party'
      ? rec.party
        ? rec.party.name
        : rec.code
      : rec.kind === 'users'
        ? `${(rec.users || []).map((u) => u.name).join(t('rules.list_sep')) || t('rules.preview.nobody')}${rec.area ? ` (${rec.area.name})` : ''}`
        : rec.kind === 'queue'
          ? t('rules.preview.queue', { area: rec.area ? rec.area.name : rec.code })
          : rec.code;
  const ruleKnown = r.rule && rules.some((x) => x.id === r.rule.id);
  const [outcome, ...rest] = r.explanation || [];
  // Rules of other categories say nothing about this case: folded away.
  const elsewhere = (r.considered || []).filter((c) => c.verdict && c.verdict.kind === 'other_category');
  const relevant = (r.considered || []).filter((c) => !(c.verdict && c.verdict.kind === 'other_category'));
  const consideredItem = (c) => html`<li key=${c.rule.id} class=${c.verdict && c.verdict.kind === 'chosen' ? 'is-chosen' : ''}>
    <span class="rules-considered-name">${c.rule.name || html`<span class="rules-muted">${t('rules.preview.deleted_rule', { id: c.rule.id })}</span>`}</span>
    <span class="rules-considered-text">${c.text}</span>
  </li>`;
  return html`<article class="rules-result-card" aria-label=${t('rules.preview.result')}>
    <p class="rules-outcome">${outcome}</p>
    <dl class="rules-dl">
      <dt>${t('rules.preview.grid')}</dt><dd>${r.grid.name} <span class="notices-code">${r.grid.code}</span></dd>
      <dt>${t('rules.col.category')}</dt><dd>${r.category.name}</dd>
      <dt>${t('rules.col.priority')}</dt><dd>${priorityLabel(r.priority)}</dd>
      <dt>${t('rules.preview.at')}</dt><dd>${r.at}</dd>
      <dt>${t('rules.preview.rule')}</dt>
      <dd>
        ${r.rule
          ? html`${r.rule.name || r.rule.id}
            ${ruleKnown && html` <button type="button" class="btn rules-link" onClick=${() => setParams({ rule: r.rule.id, category: null, area: null, q: null })}>${t('rules.preview.show_rule')}</button>`}`
          : html`<span class="rules-muted">${t('rules.preview.no_rule')}</span>`}
      </dd>
      <dt>${t('rules.col.target')}</dt><dd>${targetText(r.target, byCode)}</dd>
      <dt>${t('rules.preview.recipient')}</dt><dd><strong>${recipientText}</strong></dd>
      <dt>${t('rules.col.mode')}</dt><dd><span class=${`badge rules-mode-${r.mode}`}>${t(`rules.mode.${r.mode}`)}</span></dd>
      ${r.assists && r.assists.length > 0 && html`<dt>${t('rules.col.assists')}</dt><dd>${r.assists.map((a) => a.name).join(t('rules.list_sep'))}</dd>`}
      ${Array.isArray(r.on_duty) &&
      html`<dt>${t('rules.preview.on_duty')}</dt>
        <dd>
          ${r.on_duty.length
            ? html`<ul class="rules-plain">${r.on_duty.map((d, i) => html`<li key=${i}>${d.user.name} — ${whyText(d.why)}</li>`)}</ul>`
            : html`<span class="rules-muted">${t('rules.preview.nobody_on_duty')}</span>`}
        </dd>`}
    </dl>
    <h3 class="rules-h3">${t('rules.preview.considered')}</h3>
    ${r.considered && r.considered.length
      ? html`${relevant.length > 0 && html`<ol class="rules-considered">${relevant.map(consideredItem)}</ol>`}
          ${relevant.length === 0 && html`<p class="rules-muted">${t('rules.preview.none_considered')}</p>`}
          ${elsewhere.length > 0 &&
          html`<details class="rules-elsewhere">
            <summary>${t('rules.preview.other_categories', { n: elsewhere.length })}</summary>
            <ol class="rules-considered">${elsewhere.map(consideredItem)}</ol>
          </details>`}`
      : rest.length
        ? html`<ol class="rules-considered">${rest.map((line, i) => html`<li key=${i}>${line}</li>`)}</ol>`
        : html`<p class="rules-muted">${t('rules.preview.none_considered')}</p>`}
  </article>`;
}

// ---------------------------------------------------------------- strings

addStrings({
  'zh-CN': {
    'rules.title': '分拨规则',
    'rules.lead': '案件按最具体的匹配规则分拨：类别越细、区域越小越优先。',
    'rules.admins_only': '仅管理员可以查看和修改分拨规则。',
    'rules.new': '新建规则',
    'rules.filters': '筛选规则',
    'rules.search': '搜索名称',
    'rules.clear': '清除筛选',
    'rules.any_category': '任意类别',
    'rules.any_area': '任意区域',
    'rules.any_priority': '任意优先级',
    'rules.any': '任意',
    'rules.always': '全天',
    'rules.overnight': '（跨夜）',
    'rules.list_sep': '、',
    'rules.system': '系统预置',
    'rules.empty': '还没有分拨规则：所有案件都交由属地街道调度员分拨。',
    'rules.none_match': '没有符合筛选条件的规则。',
    'rules.caption': '显示 {n} 条，共 {total} 条规则',
    'rules.col.name': '名称',
    'rules.col.category': '类别',
    'rules.col.area': '区域',
    'rules.col.window': '时段',
    'rules.col.priority': '优先级',
    'rules.col.target': '处置对象',
    'rules.col.assists': '协办单位',
    'rules.col.mode': '方式',
    'rules.col.updated': '更新',
    'rules.col.actions': '操作',
    'rules.edit': '编辑',
    'rules.edit_x': '编辑规则「{name}」',
    'rules.delete': '删除',
    'rules.delete_x': '删除规则「{name}」',
    'rules.deleting': '正在删除…',
    'rules.delete.title': '删除规则',
    'rules.delete.confirm': '确定删除规则「{name}」吗？',
    'rules.delete.note': '已按它分拨的案件仍会记录它；新的案件将按其余规则分拨。',
    'rules.flash.created': '已新建规则「{name}」。',
    'rules.flash.saved': '已保存规则「{name}」。',
    'rules.flash.deleted': '已删除规则「{name}」。',
    'rules.saving': '正在保存…',
    'rules.reload_rule': '重新读取（放弃我的修改）',
    'rules.mode.auto_dispatch': '自动派遣',
    'rules.mode.triage': '待调度员分拨',
    'rules.mode_hint.auto_dispatch': '立即派给处置对象',
    'rules.mode_hint.triage': '等待调度员确认，系统给出建议',
    'rules.target.party': '指定单位',
    'rules.target.party_of_kind': '就近的某类单位',
    'rules.target.mediator': '本社区人民调解委员会',
    'rules.target.grid_workers': '本网格网格员',
    'rules.target.grid_chief': '本网格网格长',
    'rules.target.on_duty': '本网格值班人员',
    'rules.target.dispatcher': '某级调度员',
    'rules.target_x.party_of_kind': '就近的{kind}',
    'rules.target_x.dispatcher': '{level}调度员',
    'rules.level.community': '社区',
    'rules.level.subdistrict': '街道',
    'rules.level.district': '区县',
    'rules.party_kind.community_committee': '社区居委会',
    'rules.party_kind.subdistrict_office': '街道办事处',
    'rules.party_kind.government_department': '政府部门',
    'rules.party_kind.urban_management': '城管（综合执法）',
    'rules.party_kind.rescue_station': '救助站',
    'rules.party_kind.heating_company': '热力公司',
    'rules.party_kind.property_company': '物业公司',
    'rules.party_kind.police_station': '派出所',
    'rules.party_kind.mediation_committee': '人民调解委员会',
    'rules.party_kind.utility': '公用事业单位',
    'rules.form.new': '新建分拨规则',
    'rules.form.edit': '编辑分拨规则',
    'rules.form.gone': '这条规则已不存在。',
    'rules.form.when': '适用条件',
    'rules.form.when_hint': '条件都可不填；不填即为任意。规则适用于所选类别、区域及其全部下级。',
    'rules.form.window_on': '只在某个时段（北京时间）',
    'rules.form.from': '从',
    'rules.form.to': '到',
    'rules.form.window_hint': '含开始时刻、不含结束时刻；结束早于开始表示跨夜，如 22:00–07:00。',
    'rules.form.then': '分拨给',
    'rules.form.party': '单位',
    'rules.form.party_kind': '单位类型',
    'rules.form.level': '层级',
    'rules.form.no_assists': '无协办单位。',
    'rules.form.assist_n': '协办 {n}',
    'rules.form.remove': '移除',
    'rules.form.remove_assist_n': '移除协办 {n}',
    'rules.form.add_assist': '添加协办单位（吹哨报到）',
    'rules.err.required': '必填。',
    'rules.err.too_long': '最多 {max} 字（现在 {n} 字）。',
    'rules.err.time': '请输入时刻 HH:MM。',
    'rules.err.window_empty': '开始和结束不能相同。',
    'rules.err.party': '请选择单位。',
    'rules.err.party_kind': '请选择单位类型。',
    'rules.err.assist_is_target': '处置对象不能同时作为协办。',
    'rules.err.conflict': '与规则「{name}」同样具体，二者可能匹配同一案件。请收窄其中一条（类别、区域、时段或优先级）。',
    'rules.err.stale': '这条规则在你打开后已被他人修改。',
    'rules.preview.title': '这类案件会分拨给谁？',
    'rules.preview.lead': '选择类别和地点，按当前规则预演分拨结果（不会保存任何内容）。',
    'rules.preview.grid': '网格',
    'rules.preview.no_grid': '（直接输入经纬度）',
    'rules.preview.grid_hint': '选到网格后自动填入网格内的一个点。',
    'rules.preview.pick_grid': '请继续选到网格，或直接输入经纬度。',
    'rules.preview.no_boundary': '该网格没有边界数据，请直接输入经纬度。',
    'rules.preview.lng': '经度（WGS-84）',
    'rules.preview.lat': '纬度（WGS-84）',
    'rules.preview.at': '时刻',
    'rules.preview.at_hint': '时刻为北京时间，不填即现在；优先级不填即该类别的默认优先级。',
    'rules.preview.default_priority': '类别默认',
    'rules.preview.ask': '预演分拨',
    'rules.preview.asking': '正在预演…',
    'rules.preview.result': '预演结果',
    'rules.preview.rule': '采用规则',
    'rules.preview.no_rule': '无适用规则，属地兜底',
    'rules.preview.show_rule': '在表中查看',
    'rules.preview.recipient': '实际接收',
    'rules.preview.queue': '{area}调度队列',
    'rules.preview.nobody': '无人',
    'rules.preview.on_duty': '值班人员',
    'rules.preview.nobody_on_duty': '当时无人值班',
    'rules.preview.considered': '考虑过的规则',
    'rules.preview.none_considered': '没有规则涉及这类案件。',
    'rules.preview.deleted_rule': '已删除的规则 {id}',
    'rules.preview.other_categories': '其他类别的规则（{n} 条，不适用）',
    'rules.preview.err.category': '请选择类别。',
    'rules.preview.err.lng': '经度应在 -180 到 180 之间。',
    'rules.preview.err.lat': '纬度应在 -90 到 90 之间。',
    'rules.why.shift': '排班：{day} {from}–{to}',
    'rules.why.on_that_day': '当日值班（{date}）',
    'rules.why.patrolling': '正在巡查该网格',
    'rules.weekday.1': '周一',
    'rules.weekday.2': '周二',
    'rules.weekday.3': '周三',
    'rules.weekday.4': '周四',
    'rules.weekday.5': '周五',
    'rules.weekday.6': '周六',
    'rules.weekday.7': '周日',
  },
  en: {
    'rules.title': 'Routing rules',
    'rules.lead': 'A case goes by the most specific rule that matches it: the deeper category, then the smaller area.',
    'rules.admins_only': 'Only administrators see and change the routing rules.',
    'rules.new': 'New rule',
    'rules.filters': 'Filter the rules',
    'rules.search': 'Search names',
    'rules.clear': 'Clear filters',
    'rules.any_category': 'Any category',
    'rules.any_area': 'Any area',
    'rules.any_priority': 'Any priority',
    'rules.any': 'any',
    'rules.always': 'all day',
    'rules.overnight': '(overnight)',
    'rules.list_sep': ', ',
    'rules.system': 'built in',
    'rules.empty': 'No routing rules yet: every case falls to the dispatchers of its subdistrict.',
    'rules.none_match': 'No rule matches the filters.',
    'rules.caption': '{n} of {total} rules',
    'rules.col.name': 'Name',
    'rules.col.category': 'Category',
    'rules.col.area': 'Area',
    'rules.col.window': 'Hours',
    'rules.col.priority': 'Priority',
    'rules.col.target': 'Goes to',
    'rules.col.assists': 'Assisting',
    'rules.col.mode': 'Mode',
    'rules.col.updated': 'Updated',
    'rules.col.actions': 'Actions',
    'rules.edit': 'Edit',
    'rules.edit_x': 'Edit rule “{name}”',
    'rules.delete': 'Delete',
    'rules.delete_x': 'Delete rule “{name}”',
    'rules.deleting': 'Deleting…',
    'rules.delete.title': 'Delete rule',
    'rules.delete.confirm': 'Delete rule “{name}”?',
    'rules.delete.note': 'Cases it routed keep its id; new cases are routed by the remaining rules.',
    'rules.flash.created': 'Rule “{name}” created.',
    'rules.flash.saved': 'Rule “{name}” saved.',
    'rules.flash.deleted': 'Rule “{name}” deleted.',
    'rules.saving': 'Saving…',
    'rules.reload_rule': 'Read it again (drop my changes)',
    'rules.mode.auto_dispatch': 'Dispatch at once',
    'rules.mode.triage': 'Wait for a dispatcher',
    'rules.mode_hint.auto_dispatch': 'sent to the target immediately',
    'rules.mode_hint.triage': 'a dispatcher confirms; the target is suggested',
    'rules.target.party': 'A given party',
    'rules.target.party_of_kind': 'The nearest party of a kind',
    'rules.target.mediator': "The community's mediation committee",
    'rules.target.grid_workers': "The grid's workers",
    'rules.target.grid_chief': "The grid's chief",
    'rules.target.on_duty': 'Whoever is on duty in the grid',
    'rules.target.dispatcher': 'Dispatchers of a level',
    'rules.target_x.party_of_kind': 'Nearest {kind}',
    'rules.target_x.dispatcher': 'Dispatchers of the {level}',
    'rules.level.community': 'community',
    'rules.level.subdistrict': 'subdistrict',
    'rules.level.district': 'district',
    'rules.party_kind.community_committee': 'community committee',
    'rules.party_kind.subdistrict_office': 'subdistrict office',
    'rules.party_kind.government_department': 'government department',
    'rules.party_kind.urban_management': 'urban management',
    'rules.party_kind.rescue_station': 'rescue station',
    'rules.party_kind.heating_company': 'heating company',
    'rules.party_kind.property_company': 'property company',
    'rules.party_kind.police_station': 'police station',
    'rules.party_kind.mediation_committee': 'mediation committee',
    'rules.party_kind.utility': 'utility',
    'rules.form.new': 'New routing rule',
    'rules.form.edit': 'Edit routing rule',
    'rules.form.gone': 'This rule no longer exists.',
    'rules.form.when': 'When',
    'rules.form.when_hint': 'Every condition is optional; empty means any. A rule covers the category and area chosen and everything below them.',
    'rules.form.window_on': 'Only at certain hours (Beijing time)',
    'rules.form.from': 'From',
    'rules.form.to': 'to',
    'rules.form.window_hint': 'Start included, end excluded; an end before the start runs across midnight, e.g. 22:00–07:00.',
    'rules.form.then': 'Goes to',
    'rules.form.party': 'Party',
    'rules.form.party_kind': 'Kind of party',
    'rules.form.level': 'Level',
    'rules.form.no_assists': 'No assisting party.',
    'rules.form.assist_n': 'Assisting {n}',
    'rules.form.remove': 'Remove',
    'rules.form.remove_assist_n': 'Remove assisting party {n}',
    'rules.form.add_assist': 'Add an assisting party (whistle-and-report)',
    'rules.err.required': 'Required.',
    'rules.err.too_long': 'At most {max} characters (now {n}).',
    'rules.err.time': 'A time of day, HH:MM.',
    'rules.err.window_empty': 'Start and end must differ.',
    'rules.err.party': 'Choose the party.',
    'rules.err.party_kind': 'Choose the kind of party.',
    'rules.err.assist_is_target': 'The target leads the case; it cannot also assist.',
    'rules.err.conflict': 'As specific as rule “{name}”, and both can match the same case. Narrow one of them (category, area, hours or priority).',
    'rules.err.stale': 'Someone changed this rule since you opened it.',
    'rules.preview.title': 'Where would this go?',
    'rules.preview.lead': 'Pick a category and a place: the current rules decide, nothing is saved.',
    'rules.preview.grid': 'Grid',
    'rules.preview.no_grid': '(type a point instead)',
    'rules.preview.grid_hint': 'Choosing a grid fills in a point inside it.',
    'rules.preview.pick_grid': 'Go on down to a grid, or type a point.',
    'rules.preview.no_boundary': 'This grid has no boundary: type a point.',
    'rules.preview.lng': 'Longitude (WGS-84)',
    'rules.preview.lat': 'Latitude (WGS-84)',
    'rules.preview.at': 'Time',
    'rules.preview.at_hint': 'Time in Beijing time, now when empty; priority: the category default when empty.',
    'rules.preview.default_priority': 'Category default',
    'rules.preview.ask': 'Preview routing',
    'rules.preview.asking': 'Asking…',
    'rules.preview.result': 'Preview result',
    'rules.preview.rule': 'Rule',
    'rules.preview.no_rule': 'No rule applies: the subdistrict takes it',
    'rules.preview.show_rule': 'Show in the table',
    'rules.preview.recipient': 'Received by',
    'rules.preview.queue': 'the dispatch queue of {area}',
    'rules.preview.nobody': 'nobody',
    'rules.preview.on_duty': 'On duty',
    'rules.preview.nobody_on_duty': 'Nobody on duty then',
    'rules.preview.considered': 'Rules considered',
    'rules.preview.none_considered': 'No rule concerns such a case.',
    'rules.preview.deleted_rule': 'deleted rule {id}',
    'rules.preview.other_categories': 'Rules of other categories ({n}, not applicable)',
    'rules.preview.err.category': 'Choose a category.',
    'rules.preview.err.lng': 'Longitude is between -180 and 180.',
    'rules.preview.err.lat': 'Latitude is between -90 and 90.',
    'rules.why.shift': 'roster: {day} {from}–{to}',
    'rules.why.on_that_day': 'on duty that day ({date})',
    'rules.why.patrolling': 'patrolling the grid',
    'rules.weekday.1': 'Mon',
    'rules.weekday.2': 'Tue',
    'rules.weekday.3': 'Wed',
    'rules.weekday.4': 'Thu',
    'rules.weekday.5': 'Fri',
    'rules.weekday.6': 'Sat',
    'rules.weekday.7': 'Sun',
  },
});
