// Hotline entry (`/console/report`): a dispatcher reports on behalf of a
// caller. Category (searchable, grouped by parent, leaves only), a point on
// the map (click, a grid picked from the list, typed coordinates or the map
// centre; the grid found is shown), the address as free text, description,
// priority, when it happened. Possible duplicates are shown as soon as the
// category and point are known and once more before saving. Saved with an
// Idempotency-Key (and a client-chosen id, so a resend after a lost answer
// finds the first report), then the new case opens.
//
// `?category=…&lng=…&lat=…` pre-fills the form (e.g. from another screen).

import { html, useState, useEffect, useRef, useMemo } from '../vendor/htm-preact.js';
import { api, ApiError, problemText } from '../lib/api.js';
import {
  t, addStrings, useLocale, categories, categoryName, loadCategories, statusLabel, priorityLabel,
  PRIORITIES, fmtAge, localName,
} from '../lib/i18n.js';
import { navigate } from '../lib/router.js';
import { useMe } from '../lib/session.js';
import {
  createConfiguredMap, addAreaOverlay, rootAreasOf, areaGeometry, areasLayer, pointInside,
} from '../lib/mapview.js';

const L = window.L;

addStrings({
  'zh-CN': {
    'report.title': '热线登记',
    'report.subtitle': '代来电群众登记事件',
    'report.category': '事件类别',
    'report.category.search': '搜索类别',
    'report.category.search_ph': '输入名称或编码，回车选第一个',
    'report.category.none': '没有匹配的类别。',
    'report.category.other': '其他',
    'report.category.selected': '已选',
    'report.category.limits': '默认优先级：{p} · 签收时限 {ack} · 办结时限 {res}',
    'report.category.loading': '正在读取类别…',
    'report.unit.working_hours': '{n} 个工作小时',
    'report.unit.working_days': '{n} 个工作日',
    'report.unit.calendar_hours': '{n} 小时',
    'report.location': '位置',
    'report.location.help': '在地图上点击标出位置（可拖动标记），或选择网格、输入坐标。只填地址无法定位，必须标出一个点。',
    'report.location.grid': '按网格定位',
    'report.location.grid_pick': '选择网格（定位到网格中央）…',
    'report.location.coords': '坐标（经度, 纬度，WGS-84）',
    'report.location.coords_ph': '113.606, 34.718',
    'report.location.coords_bad': '请按“经度, 纬度”输入，例如 113.606, 34.718',
    'report.location.centre': '取地图中心点',
    'report.location.none': '尚未标出位置',
    'report.location.locating': '正在查找所在网格…',
    'report.location.in': '所在网格：',
    'report.location.outside': '该点不在任何网格内，请重新选点。',
    'report.location.required': '请在地图上标出事件位置。',
    'report.address': '地址（文字）',
    'report.address_ph': '如：观澜社区7号院2号楼',
    'report.address_help': '按来电人的描述填写，作为文字保存。',
    'report.description': '事件描述',
    'report.description_ph': '来电人反映的情况',
    'report.description.required': '请填写事件描述。',
    'report.category.required': '请选择事件类别。',
    'report.priority': '优先级',
    'report.priority.default': '按类别默认（{p}）',
    'report.priority.default_plain': '按类别默认',
    'report.occurred': '发生时间（不填为现在）',
    'report.hotline': '12345 热线来电',
    'report.submit': '登记',
    'report.submitting': '正在登记…',
    'report.clear': '清空',
    'report.map': '选择位置的地图',
    'report.dups.title': '附近同类未办结事件',
    'report.dups.none': '附近没有同类未办结事件。',
    'report.dups.checking': '正在查重…',
    'report.dups.unavailable': '暂时无法查重。',
    'report.dups.meta': '相距 {d} 米 · {age}',
    'report.dups.open_new_tab': '在新标签页打开 {ref}',
    'report.confirm.title': '可能是重复上报',
    'report.confirm.text': '附近已有 {n} 件同类未办结事件。可以打开已有案卷，或继续登记新事件。',
    'report.confirm.open': '打开 {ref}',
    'report.confirm.go_on': '仍然登记',
    'report.error': '登记失败',
    'report.error.fields': '请更正标出的项目。',
    'report.error.busy': '上一次提交仍在处理中，请稍后再试。',
  },
  en: {
    'report.title': 'Hotline entry',
    'report.subtitle': 'Report an incident on behalf of a caller',
    'report.category': 'Category',
    'report.category.search': 'Search categories',
    'report.category.search_ph': 'Name or code; Enter picks the first',
    'report.category.none': 'No category matches.',
    'report.category.other': 'Other',
    'report.category.selected': 'Selected',
    'report.category.limits': 'Default priority: {p} · acknowledge within {ack} · resolve within {res}',
    'report.category.loading': 'Loading categories…',
    'report.unit.working_hours': '{n} working hours',
    'report.unit.working_days': '{n} working days',
    'report.unit.calendar_hours': '{n} hours',
    'report.location': 'Location',
    'report.location.help': 'Click the map to place the point (the marker can be dragged), or pick a grid, or type coordinates. An address alone cannot be located: a point is needed.',
    'report.location.grid': 'Locate by grid',
    'report.location.grid_pick': 'Pick a grid (its middle)…',
    'report.location.coords': 'Coordinates (longitude, latitude, WGS-84)',
    'report.location.coords_ph': '113.606, 34.718',
    'report.location.coords_bad': 'Type “longitude, latitude”, e.g. 113.606, 34.718',
    'report.location.centre': 'Use the map centre',
    'report.location.none': 'No point yet',
    'report.location.locating': 'Finding the grid…',
    'report.location.in': 'Grid: ',
    'report.location.outside': 'This point is outside every grid; pick another.',
    'report.location.required': 'Place the incident on the map.',
    'report.address': 'Address (text)',
    'report.address_ph': 'e.g. Guanlan, compound 7, building 2',
    'report.address_help': 'As the caller says it; stored as text.',
    'report.description': 'Description',
    'report.description_ph': 'What the caller reports',
    'report.description.required': 'Describe the incident.',
    'report.category.required': 'Pick a category.',
    'report.priority': 'Priority',
    'report.priority.default': 'Category default ({p})',
    'report.priority.default_plain': 'Category default',
    'report.occurred': 'When it happened (empty: now)',
    'report.hotline': '12345 hotline call',
    'report.submit': 'Register',
    'report.submitting': 'Registering…',
    'report.clear': 'Clear',
    'report.map': 'Map to place the incident',
    'report.dups.title': 'Open incidents of this category nearby',
    'report.dups.none': 'No open incident of this category nearby.',
    'report.dups.checking': 'Checking for duplicates…',
    'report.dups.unavailable': 'The duplicate check is not available right now.',
    'report.dups.meta': '{d} m away · {age}',
    'report.dups.open_new_tab': 'Open {ref} in a new tab',
    'report.confirm.title': 'Possibly a duplicate',
    'report.confirm.text': '{n} open incidents of this category are nearby. Open an existing case, or go on and register a new one.',
    'report.confirm.open': 'Open {ref}',
    'report.confirm.go_on': 'Register anyway',
    'report.error': 'The report could not be saved',
    'report.error.fields': 'Correct the marked fields.',
    'report.error.busy': 'The previous attempt is still being handled; try again in a moment.',
  },
});

// ---------------------------------------------------------------- helpers

/** A UUIDv7 (time-ordered, like the server's ids) for the client-chosen id. */
function uuid7() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function limitText(l) {
  if (!l || l.amount === undefined) return '—';
  return t(`report.unit.${l.unit}`, { n: l.amount });
}

function parseCoords(s) {
  const m = String(s || '')
    .trim()
    .split(/[\s,，;；]+/)
    .filter(Boolean)
    .map(Number);
  if (m.length !== 2 || !m.every(Number.isFinite)) return null;
  const [lng, lat] = m;
  if (Math.abs(lng) > 180 || Math.abs(lat) > 90) return null;
  return { lng, lat };
}

function fmtCoords(p) {
  return p ? `${p.lng.toFixed(6)}, ${p.lat.toFixed(6)}` : '';
}

/** Which form field a problem's `field` path belongs to. */
function fieldOf(path) {
  const f = String(path || '');
  if (f.startsWith('location') || f === 'lat' || f === 'lng' || f === 'coord_sys') return 'location';
  for (const k of ['category', 'description', 'address', 'priority', 'occurred_at']) if (f.startsWith(k)) return k;
  return null;
}

function localInputNow() {
  const d = new Date();
  d.setSeconds(0, 0);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// ---------------------------------------------------------------- category picker

function leafGroups(cats) {
  const hasKids = new Set(cats.map((c) => c.parent_code).filter(Boolean));
  const byCode = new Map(cats.map((c) => [c.code, c]));
  const topOf = (c) => {
    let cur = c;
    let guard = 0;
    while (cur.parent_code && byCode.has(cur.parent_code) && guard++ < 20) cur = byCode.get(cur.parent_code);
    return cur;
  };
  const groups = new Map();
  const other = [];
  for (const c of cats) {
    if (hasKids.has(c.code)) continue;
    const top = topOf(c);
    if (top === c) {
      other.push(c);
      continue;
    }
    if (!groups.has(top.code)) groups.set(top.code, { top, items: [] });
    groups.get(top.code).items.push(c);
  }
  const list = [...groups.values()];
  if (other.length) list.push({ top: null, items: other });
  return list;
}

function CategoryPicker({ value, onChange, error, loc }) {
  const [q, setQ] = useState('');
  const cats = categories();
  const groups = useMemo(() => leafGroups(cats), [cats]);
  const needle = q.trim().toLowerCase();
  const matches = (c, top) =>
    !needle ||
    c.code.toLowerCase().includes(needle) ||
    (c.label_zh || '').toLowerCase().includes(needle) ||
    (c.label_en || '').toLowerCase().includes(needle) ||
    (top && ((top.label_zh || '').toLowerCase().includes(needle) || (top.label_en || '').toLowerCase().includes(needle)));
  const shown = groups
    .map((g) => ({ ...g, items: g.items.filter((c) => matches(c, g.top)) }))
    .filter((g) => g.items.length);
  const first = shown.length ? shown[0].items[0] : null;
  const selected = cats.find((c) => c.code === value);
  const other = (c) => (loc === 'en' ? c.label_zh : c.label_en);

  return html`<fieldset class="report-fieldset" aria-describedby=${error ? 'report-category-error' : undefined}>
    <legend>${t('report.category')} <span class="report-req" aria-hidden="true">*</span></legend>
    <div class="field">
      <label for="report-category-search" class="visually-hidden">${t('report.category.search')}</label>
      <input
        id="report-category-search"
        type="search"
        placeholder=${t('report.category.search_ph')}
        value=${q}
        autocomplete="off"
        onInput=${(e) => setQ(e.currentTarget.value)}
        onKeyDown=${(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            if (first) onChange(first.code);
          } else if (e.key === 'Escape' && q) {
            e.preventDefault();
            setQ('');
          }
        }}
      />
    </div>
    ${!cats.length
      ? html`<p class="muted">${t('report.category.loading')}</p>`
      : html`<div class=${`report-cats${error ? ' invalid' : ''}`} role="radiogroup" aria-label=${t('report.category')}
          aria-invalid=${error ? 'true' : undefined}>
          ${shown.length === 0 ? html`<p class="muted report-cats-empty">${t('report.category.none')}</p>` : null}
          ${shown.map(
            (g) => html`<div class="report-cat-group" key=${g.top ? g.top.code : '_other'}>
              <div class="report-cat-head" aria-hidden="true">${g.top ? categoryName(g.top.code) : t('report.category.other')}</div>
              ${g.items.map(
                (c) => html`<label class=${`report-cat${c.code === value ? ' on' : ''}`} key=${c.code}>
                  <input
                    type="radio"
                    name="report-category"
                    value=${c.code}
                    checked=${c.code === value}
                    onChange=${() => onChange(c.code)}
                  />
                  <span class="report-cat-name">${categoryName(c.code)}</span>
                  <span class="report-cat-other" lang=${loc === 'en' ? 'zh-CN' : 'en'}>${other(c)}</span>
                </label>`,
              )}
            </div>`,
          )}
        </div>`}
    ${selected
      ? html`<p class="report-cat-selected">
          <strong>${t('report.category.selected')}：</strong>${categoryName(selected.code)}
          <span class="muted"> (${other(selected)})</span><br />
          <span class="muted">${t('report.category.limits', {
            p: priorityLabel(selected.default_priority),
            ack: limitText(selected.acknowledge_within),
            res: limitText(selected.resolve_within),
          })}</span>
        </p>`
      : null}
    ${error ? html`<p class="error" id="report-category-error">${error}</p>` : null}
  </fieldset>`;
}

// ---------------------------------------------------------------- duplicates

function DuplicateList({ state }) {
  if (!state || state.status === 'idle') return null;
  if (state.status === 'loading') return html`<p class="muted report-dups-note" role="status">${t('report.dups.checking')}</p>`;
  if (state.status === 'error') return html`<p class="muted report-dups-note">${t('report.dups.unavailable')}</p>`;
  if (!state.items.length) return html`<p class="muted report-dups-note" role="status">${t('report.dups.none')}</p>`;
  return html`<section class="report-dups" aria-labelledby="report-dups-title" role="status">
    <h3 id="report-dups-title">${t('report.dups.title')} <span class="badge badge-warn">${state.items.length}</span></h3>
    <ul>
      ${state.items.map(
        (d) => html`<li key=${d.id}>
          <a
            href=${`/console/cases/${encodeURIComponent(d.id)}`}
            target="_blank"
            rel="noopener"
            title=${t('report.dups.open_new_tab', { ref: d.reference })}
            class="mono"
            >${d.reference}</a
          >
          <span class=${`badge status-${d.status}`}>${statusLabel(d.status)}</span>
          <span class="muted">${t('report.dups.meta', { d: Math.round(d.distance_m), age: fmtAge(d.created_at) })}</span>
        </li>`,
      )}
    </ul>
  </section>`;
}

// ---------------------------------------------------------------- screen

const EMPTY = {
  category: '',
  point: null, // {lng, lat}
  address: '',
  description: '',
  priority: '',
  occurred: '',
  hotline: true,
};

export function ReportScreen({ route }) {
  const loc = useLocale();
  const me = useMe();
  const [form, setForm] = useState(() => {
    const p = route.params;
    const pre = { ...EMPTY };
    if (p.get('category')) pre.category = p.get('category');
    const lng = Number(p.get('lng'));
    const lat = Number(p.get('lat'));
    if (p.get('lng') && p.get('lat') && Number.isFinite(lng) && Number.isFinite(lat)) pre.point = { lng, lat };
    return pre;
  });
  const [coordsText, setCoordsText] = useState(() => fmtCoords(form.point));
  const [coordsBad, setCoordsBad] = useState(false);
  const [located, setLocated] = useState({ status: 'idle' }); // idle|loading|ok|outside|error
  const [dups, setDups] = useState({ status: 'idle', items: [] });
  const [errors, setErrors] = useState({});
  const [general, setGeneral] = useState(null);
  const [saving, setSaving] = useState(false);
  const [confirming, setConfirming] = useState(null); // duplicates shown in the dialog
  const [grids, setGrids] = useState([]);
  const [catsReady, setCatsReady] = useState(categories().length > 0);

  const mapEl = useRef(null);
  const mapRef = useRef(null);
  const markerRef = useRef(null);
  const pickedRef = useRef(null);
  const overlayRef = useRef(null);
  const idRef = useRef(uuid7());
  const keyRef = useRef(null); // {body, key}
  const dialogRef = useRef(null);
  const formRef = useRef(null);

  const set = (patch) => setForm((f) => ({ ...f, ...patch }));
  const clearError = (k) => setErrors((e) => (e[k] ? { ...e, [k]: undefined } : e));

  useEffect(() => {
    if (!catsReady) loadCategories().then(() => setCatsReady(true), () => {});
  }, []);

  // ---- the map
  useEffect(() => {
    const map = createConfiguredMap(mapEl.current, { label: t('report.map') });
    mapRef.current = map;
    map.on('click', (e) => {
      placePoint({ lng: e.latlng.lng, lat: e.latlng.lat }, { pan: false });
      // A click on the whole district is rough: come closer to refine it (drag the marker).
      if (map.getZoom() < 16) map.setView(e.latlng, 17);
    });
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => map.invalidateSize()) : null;
    if (ro) ro.observe(mapEl.current);
    return () => {
      if (ro) ro.disconnect();
      if (overlayRef.current) overlayRef.current.remove();
      map.remove();
      mapRef.current = null;
      markerRef.current = null;
      pickedRef.current = null;
    };
  }, []);

  const roots = useMemo(() => (me ? rootAreasOf(me) : undefined), [me]);
  const rootsKey = roots === undefined ? 'none' : roots === null ? 'all' : roots.join(',');
  useEffect(() => {
    const map = mapRef.current;
    if (!map || roots === undefined) return undefined;
    const overlay = addAreaOverlay(map, { roots: roots && roots.length ? roots : null });
    overlayRef.current = overlay;
    overlay.ready.then(
      (bounds) => {
        setGrids(overlay.grids());
        if (form.point) map.setView([form.point.lat, form.point.lng], 17);
        else if (bounds) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
      },
      () => {},
    );
    return () => overlay.remove();
  }, [rootsKey]);

  useEffect(() => {
    if (overlayRef.current) overlayRef.current.relabel();
  }, [loc]);

  // ---- the point: marker, grid, duplicates
  function placePoint(p, { pan = true } = {}) {
    set({ point: p });
    setCoordsText(fmtCoords(p));
    setCoordsBad(false);
    clearError('location');
    const map = mapRef.current;
    if (map && pan) map.panTo([p.lat, p.lng]);
  }

  useEffect(() => {
    const map = mapRef.current;
    const p = form.point;
    if (!map) return;
    if (!p) {
      if (markerRef.current) markerRef.current.remove();
      markerRef.current = null;
      return;
    }
    if (!markerRef.current) {
      const m = L.marker([p.lat, p.lng], {
        icon: L.divIcon({ className: 'report-pin', html: '', iconSize: [22, 22], iconAnchor: [11, 11] }),
        draggable: true,
        keyboard: false,
        zIndexOffset: 1000,
      });
      m.on('dragend', () => {
        const ll = m.getLatLng();
        placePoint({ lng: ll.lng, lat: ll.lat }, { pan: false });
      });
      m.addTo(map);
      markerRef.current = m;
    } else {
      markerRef.current.setLatLng([p.lat, p.lng]);
    }
  }, [form.point]);

  // The grid it lies in.
  useEffect(() => {
    const p = form.point;
    if (!p) {
      setLocated({ status: 'idle' });
      return undefined;
    }
    let alive = true;
    setLocated((s) => ({ ...s, status: 'loading' }));
    const timer = setTimeout(() => {
      api
        .get('/areas/locate', { lng: p.lng.toFixed(7), lat: p.lat.toFixed(7) })
        .then((body) => {
          if (!alive) return;
          setLocated({ status: 'ok', grid: body.grid, ancestors: body.ancestors || [] });
          clearError('location');
        })
        .catch((e) => {
          if (!alive) return;
          if (e instanceof ApiError && (e.status === 404 || e.status === 422)) setLocated({ status: 'outside' });
          else setLocated({ status: 'error', error: e });
        });
    }, 200);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [form.point && form.point.lng, form.point && form.point.lat]);

  // Highlight the grid found.
  useEffect(() => {
    const map = mapRef.current;
    if (pickedRef.current) {
      pickedRef.current.remove();
      pickedRef.current = null;
    }
    const code = located.status === 'ok' && located.grid && located.grid.code;
    if (!map || !code) return undefined;
    let alive = true;
    areaGeometry(code).then(
      (f) => {
        if (!alive || !f || !mapRef.current) return;
        pickedRef.current = areasLayer(f, { style: { className: 'mv-grid-picked', weight: 3 }, interactive: false, tooltip: false }).addTo(map);
      },
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [located.status === 'ok' && located.grid ? located.grid.code : null]);

  // Possible duplicates while the form is filled in.
  useEffect(() => {
    const p = form.point;
    if (!p || !form.category) {
      setDups({ status: 'idle', items: [] });
      return undefined;
    }
    let alive = true;
    setDups((d) => ({ ...d, status: 'loading' }));
    const timer = setTimeout(() => {
      api
        .get('/incidents/possible-duplicates', { category: form.category, lng: p.lng.toFixed(7), lat: p.lat.toFixed(7) })
        .then((items) => {
          if (alive) setDups({ status: 'ok', items: Array.isArray(items) ? items : (items && items.items) || [] });
        })
        .catch(() => {
          if (alive) setDups({ status: 'error', items: [] });
        });
    }, 400);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [form.category, form.point && form.point.lng, form.point && form.point.lat]);

  // ---- grid picker and coordinates
  const pickGrid = async (code) => {
    if (!code || !overlayRef.current) return;
    try {
      const f = await overlayRef.current.gridFeature(code);
      if (!f) return;
      const c = pointInside(f);
      placePoint({ lng: c.lng, lat: c.lat }, { pan: false });
      const b = L.geoJSON(f).getBounds();
      if (mapRef.current && b.isValid()) mapRef.current.fitBounds(b, { padding: [30, 30], maxZoom: 17 });
    } catch (e) {
      setGeneral(e);
    }
  };

  const applyCoords = () => {
    if (!coordsText.trim()) return;
    const p = parseCoords(coordsText);
    if (!p) {
      setCoordsBad(true);
      return;
    }
    placePoint(p);
    if (mapRef.current) mapRef.current.setView([p.lat, p.lng], Math.max(mapRef.current.getZoom(), 16));
  };

  const useCentre = () => {
    const map = mapRef.current;
    if (!map) return;
    const c = map.getCenter();
    placePoint({ lng: c.lng, lat: c.lat }, { pan: false });
  };

  // ---- saving
  function validate() {
    const e = {};
    if (!form.category) e.category = t('report.category.required');
    if (!form.point) e.location = t('report.location.required');
    else if (located.status === 'outside') e.location = t('report.location.outside');
    if (!form.description.trim()) e.description = t('report.description.required');
    return e;
  }

  function focusFirstError(e) {
    const order = [
      ['category', '#report-category-search'],
      ['location', '#report-coords'],
      ['description', '#report-description'],
      ['address', '#report-address'],
      ['priority', '#report-priority'],
      ['occurred_at', '#report-occurred'],
    ];
    for (const [k, sel] of order) {
      if (e[k] && formRef.current) {
        const node =
          k === 'category'
            ? formRef.current.querySelector('input[name="report-category"]:checked') ||
              formRef.current.querySelector(sel)
            : formRef.current.querySelector(sel);
        if (node) node.focus();
        return;
      }
    }
  }

  function bodyOf() {
    const b = {
      id: idRef.current,
      category: form.category,
      description: form.description.trim(),
      location: { type: 'Point', coordinates: [Number(form.point.lng.toFixed(7)), Number(form.point.lat.toFixed(7))] },
      coord_sys: 'wgs84',
      hotline: !!form.hotline,
    };
    if (form.address.trim()) b.address = form.address.trim();
    if (form.priority) b.priority = form.priority;
    if (form.occurred) {
      const d = new Date(form.occurred);
      if (!Number.isNaN(d.getTime())) b.occurred_at = d.toISOString();
    }
    return b;
  }

  async function save() {
    const body = bodyOf();
    const json = JSON.stringify(body);
    if (!keyRef.current || keyRef.current.body !== json) keyRef.current = { body: json, key: uuid7() };
    setSaving(true);
    setGeneral(null);
    try {
      const view = await api.post('/incidents', body, { idempotencyKey: keyRef.current.key });
      navigate(`/console/cases/${encodeURIComponent(view.id)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        // Our id is taken: an earlier attempt went through (its answer was lost).
        try {
          const found = await api.get(`/incidents/${encodeURIComponent(idRef.current)}`);
          if (found && found.id) {
            navigate(`/console/cases/${encodeURIComponent(found.id)}`);
            return;
          }
        } catch {
          /* not ours: report the 409 */
        }
        setGeneral(new ApiError(409, { ...e.problem, detail: t('report.error.busy') }));
      } else if (e instanceof ApiError && e.status === 422 && e.problem.errors && e.problem.errors.length) {
        const fe = {};
        const rest = [];
        for (const { field, message } of e.problem.errors) {
          const k = fieldOf(field);
          if (k) fe[k] = fe[k] ? `${fe[k]}; ${message}` : message;
          else rest.push(`${field}: ${message}`);
        }
        setErrors(fe);
        setGeneral(rest.length ? new ApiError(422, { ...e.problem, detail: rest.join('; ') }) : { fields: true });
        focusFirstError(fe);
      } else {
        setGeneral(e);
      }
    } finally {
      setSaving(false);
    }
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    if (saving) return;
    const e = validate();
    setErrors(e);
    if (Object.keys(e).length) {
      setGeneral({ fields: true });
      focusFirstError(e);
      return;
    }
    // The last word on duplicates, fresh.
    let list = dups.status === 'ok' ? dups.items : [];
    try {
      const fresh = await api.get('/incidents/possible-duplicates', {
        category: form.category,
        lng: form.point.lng.toFixed(7),
        lat: form.point.lat.toFixed(7),
      });
      list = Array.isArray(fresh) ? fresh : (fresh && fresh.items) || [];
    } catch {
      /* the check is a help, not a gate */
    }
    if (list.length) {
      setConfirming(list);
      return;
    }
    save();
  }

  useEffect(() => {
    const d = dialogRef.current;
    if (!d) return;
    if (confirming && !d.open) {
      if (d.showModal) d.showModal();
      else d.setAttribute('open', '');
    } else if (!confirming && d.open) d.close();
  }, [confirming]);

  const clearForm = () => {
    setForm({ ...EMPTY });
    setCoordsText('');
    setCoordsBad(false);
    setErrors({});
    setGeneral(null);
    idRef.current = uuid7();
    keyRef.current = null;
  };

  // ---- render
  const cat = categories().find((c) => c.code === form.category);
  const where =
    located.status === 'ok' && located.grid
      ? [located.grid, ...[...located.ancestors].reverse().filter((a) => a.level !== 'city')]
          .slice(0, 4)
          .map((a) => localName(a))
          .join(' · ')
      : '';

  const err = (k) => errors[k];
  const described = (k, help) => [help, err(k) ? `report-${k}-error` : null].filter(Boolean).join(' ') || undefined;

  return html`<div class="report-screen">
    <form class="report-form" ref=${formRef} onSubmit=${onSubmit} noValidate aria-labelledby="report-title">
      <header class="report-head">
        <h1 id="report-title">${t('report.title')}</h1>
        <p class="muted">${t('report.subtitle')}</p>
      </header>

      ${general && (!general.fields || Object.values(errors).some(Boolean))
        ? html`<div class="state-error report-general" role="alert">
            <div class="grow">
              <strong>${t('report.error')}</strong>
              <p>
                ${general.fields
                  ? t('report.error.fields')
                  : general.status === 0
                    ? t('common.network_error')
                    : problemText(general)}
              </p>
            </div>
            ${general.status === 0
              ? html`<button type="submit" class="btn">${t('common.retry')}</button>`
              : null}
          </div>`
        : null}

      <${CategoryPicker}
        value=${form.category}
        loc=${loc}
        error=${err('category')}
        onChange=${(code) => {
          set({ category: code });
          clearError('category');
        }}
      />

      <fieldset class="report-fieldset">
        <legend>${t('report.location')} <span class="report-req" aria-hidden="true">*</span></legend>
        <p class="muted report-help" id="report-location-help">${t('report.location.help')}</p>
        <div class="report-row">
          <div class="field grow">
            <label for="report-grid">${t('report.location.grid')}</label>
            <select id="report-grid" value="" onChange=${(e) => pickGrid(e.currentTarget.value)} disabled=${!grids.length}>
              <option value="">${t('report.location.grid_pick')}</option>
              ${grids.map((g) => html`<option value=${g.code} key=${g.code}>${localName(g)} (${g.code})</option>`)}
            </select>
          </div>
        </div>
        <div class="report-row">
          <div class="field grow">
            <label for="report-coords">${t('report.location.coords')}</label>
            <input
              id="report-coords"
              type="text"
              inputmode="decimal"
              autocomplete="off"
              placeholder=${t('report.location.coords_ph')}
              value=${coordsText}
              aria-invalid=${coordsBad || err('location') ? 'true' : undefined}
              aria-describedby=${described('location', coordsBad ? 'report-coords-bad' : 'report-location-help')}
              onInput=${(e) => {
                setCoordsText(e.currentTarget.value);
                setCoordsBad(false);
              }}
              onBlur=${applyCoords}
              onKeyDown=${(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  applyCoords();
                }
              }}
            />
          </div>
          <button type="button" class="btn report-centre" onClick=${useCentre}>${t('report.location.centre')}</button>
        </div>
        ${coordsBad ? html`<p class="error" id="report-coords-bad">${t('report.location.coords_bad')}</p>` : null}
        <p class="report-located" role="status" aria-live="polite">
          ${!form.point
            ? html`<span class="muted">${t('report.location.none')}</span>`
            : located.status === 'loading'
              ? html`<span class="muted">${t('report.location.locating')}</span>`
              : located.status === 'ok'
                ? html`<span>${t('report.location.in')}<strong>${where}</strong></span>
                    <span class="muted mono"> ${located.grid ? located.grid.code : ''}</span>`
                : located.status === 'outside'
                  ? html`<span class="report-bad">${t('report.location.outside')}</span>`
                  : located.status === 'error'
                    ? html`<span class="report-bad">${problemText(located.error)}</span>`
                    : null}
        </p>
        ${err('location') ? html`<p class="error" id="report-location-error">${err('location')}</p>` : null}
        <div class="field">
          <label for="report-address">${t('report.address')}</label>
          <input
            id="report-address"
            type="text"
            autocomplete="off"
            placeholder=${t('report.address_ph')}
            value=${form.address}
            aria-invalid=${err('address') ? 'true' : undefined}
            aria-describedby=${described('address', 'report-address-help')}
            onInput=${(e) => {
              set({ address: e.currentTarget.value });
              clearError('address');
            }}
          />
          <span class="muted report-help" id="report-address-help">${t('report.address_help')}</span>
          ${err('address') ? html`<span class="error" id="report-address-error">${err('address')}</span>` : null}
        </div>
      </fieldset>

      <div class="field">
        <label for="report-description">${t('report.description')} <span class="report-req" aria-hidden="true">*</span></label>
        <textarea
          id="report-description"
          rows="5"
          required
          placeholder=${t('report.description_ph')}
          value=${form.description}
          aria-invalid=${err('description') ? 'true' : undefined}
          aria-describedby=${described('description')}
          onInput=${(e) => {
            set({ description: e.currentTarget.value });
            clearError('description');
          }}
        ></textarea>
        ${err('description') ? html`<span class="error" id="report-description-error">${err('description')}</span>` : null}
      </div>

      <div class="report-row report-row-top">
        <div class="field">
          <label for="report-priority">${t('report.priority')}</label>
          <select
            id="report-priority"
            value=${form.priority}
            aria-invalid=${err('priority') ? 'true' : undefined}
            aria-describedby=${described('priority')}
            onChange=${(e) => {
              set({ priority: e.currentTarget.value });
              clearError('priority');
            }}
          >
            <option value="">
              ${cat ? t('report.priority.default', { p: priorityLabel(cat.default_priority) }) : t('report.priority.default_plain')}
            </option>
            ${PRIORITIES.map((p) => html`<option value=${p} key=${p}>${priorityLabel(p)}</option>`)}
          </select>
          ${err('priority') ? html`<span class="error" id="report-priority-error">${err('priority')}</span>` : null}
        </div>
        <div class="field">
          <label for="report-occurred">${t('report.occurred')}</label>
          <input
            id="report-occurred"
            type="datetime-local"
            max=${localInputNow()}
            value=${form.occurred}
            aria-invalid=${err('occurred_at') ? 'true' : undefined}
            aria-describedby=${described('occurred_at')}
            onInput=${(e) => {
              set({ occurred: e.currentTarget.value });
              clearError('occurred_at');
            }}
          />
          ${err('occurred_at') ? html`<span class="error" id="report-occurred_at-error">${err('occurred_at')}</span>` : null}
        </div>
      </div>

      <label class="report-check">
        <input type="checkbox" checked=${form.hotline} onChange=${(e) => set({ hotline: e.currentTarget.checked })} />
        ${t('report.hotline')}
      </label>

      <${DuplicateList} state=${dups} />

      <div class="report-actions">
        <button type="submit" class="btn btn-primary" disabled=${saving} aria-busy=${saving ? 'true' : undefined}>
          ${saving ? t('report.submitting') : t('report.submit')}
        </button>
        <button type="button" class="btn" onClick=${clearForm} disabled=${saving}>${t('report.clear')}</button>
      </div>
    </form>

    <div class="report-mapwrap">
      <div class="report-map" ref=${mapEl}></div>
      <div class="report-crosshair" aria-hidden="true"></div>
    </div>

    <dialog
      ref=${dialogRef}
      class="report-dialog"
      aria-labelledby="report-confirm-title"
      onClose=${() => setConfirming(null)}
      onCancel=${() => setConfirming(null)}
    >
      ${confirming
        ? html`<div class="dialog-body">
            <h2 id="report-confirm-title">${t('report.confirm.title')}</h2>
            <p>${t('report.confirm.text', { n: confirming.length })}</p>
            <ul class="report-confirm-list">
              ${confirming.map(
                (d) => html`<li key=${d.id}>
                  <span class=${`badge status-${d.status}`}>${statusLabel(d.status)}</span>
                  <span class="muted">${t('report.dups.meta', { d: Math.round(d.distance_m), age: fmtAge(d.created_at) })}</span>
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick=${() => {
                      setConfirming(null);
                      navigate(`/console/cases/${encodeURIComponent(d.id)}`);
                    }}
                  >
                    ${t('report.confirm.open', { ref: d.reference })}
                  </button>
                </li>`,
              )}
            </ul>
            <div class="dialog-actions">
              <button type="button" class="btn" onClick=${() => setConfirming(null)}>${t('common.cancel')}</button>
              <button
                type="button"
                class="btn btn-primary"
                onClick=${() => {
                  setConfirming(null);
                  save();
                }}
              >
                ${t('report.confirm.go_on')}
              </button>
            </div>
          </div>`
        : null}
    </dialog>
  </div>`;
}
