// The map (`/console/map?category=&status=&overdue=1&c=lat,lng&z=`): the
// grids of the caller's area, the open incidents in view clustered by zoom
// and coloured by deadline (clusters by their worst member), a legend with
// counts and the list of what is in view. Re-read on move (debounced) and on
// every live change.

import { html, useState, useEffect, useRef, useMemo, useCallback } from '../vendor/htm-preact.js';
import { api, problemText } from '../lib/api.js';
import {
  t, addStrings, useLocale, statusLabel, categoryName, categories, fmtRelative, fmtTime, loadCategories,
} from '../lib/i18n.js';
import { navigate, setParams, Link } from '../lib/router.js';
import { useMe } from '../lib/session.js';
import { onIncidentEvent, onResync } from '../lib/live.js';
import {
  createConfiguredMap, addAreaOverlay, rootAreasOf, deadlineState, dueOf, incidentIcon, clusterIcon,
  stateLabel, OPEN_STATUSES, STATE_ORDER,
} from '../lib/mapview.js';

const L = window.L;
const PAGE = 500;
const MAX_POINTS = 2000; // pages followed per read: 4
const MOVE_DEBOUNCE_MS = 350;
const LIVE_DEBOUNCE_MS = 1500;
const LIST_MAX = 300;

addStrings({
  'zh-CN': {
    'map.title': '地图',
    'map.filters': '地图筛选',
    'map.category': '类别',
    'map.category.all': '全部类别',
    'map.category.whole': '{name}（全部）',
    'map.status': '状态',
    'map.overdue': '只看超时',
    'map.fit': '回到辖区',
    'map.reload': '刷新',
    'map.loading': '正在读取…',
    'map.count': '视野内 {n} 件',
    'map.capped': '只显示前 {n} 件，请放大地图',
    'map.areas_loading': '正在读取网格…',
    'map.areas_error': '网格边界读取失败',
    'map.points_error': '事件读取失败',
    'map.legend': '图例',
    'map.in_view': '视野内的事件',
    'map.empty': '视野内没有符合条件的事件。',
    'map.empty_hint': '缩小地图或放宽筛选条件。',
    'map.more': '还有 {n} 件未列出，请放大地图。',
    'map.show': '在地图上显示 {ref}',
    'map.open': '打开',
    'map.open_case': '打开案卷',
    'map.due': '时限',
    'map.no_due': '无时限',
    'map.reported_at': '上报于 {time}',
    'map.grids': '网格 {n} 个',
    'map.grids_lazy': '网格 {n} 个（放大后显示）',
    'map.legend.grid': '网格边界',
    'map.legend.priority': '深色外圈：高 / 紧急优先级',
    'map.legend.area': '辖区边界',
  },
  en: {
    'map.title': 'Map',
    'map.filters': 'Map filters',
    'map.category': 'Category',
    'map.category.all': 'All categories',
    'map.category.whole': '{name} (all)',
    'map.status': 'Status',
    'map.overdue': 'Overdue only',
    'map.fit': 'My area',
    'map.reload': 'Reload',
    'map.loading': 'Loading…',
    'map.count': '{n} in view',
    'map.capped': 'Showing the first {n}; zoom in',
    'map.areas_loading': 'Loading grids…',
    'map.areas_error': 'The grid boundaries could not be read',
    'map.points_error': 'The incidents could not be read',
    'map.legend': 'Legend',
    'map.in_view': 'Incidents in view',
    'map.empty': 'No incident matching the filters in view.',
    'map.empty_hint': 'Zoom out or widen the filters.',
    'map.more': '{n} more not listed; zoom in.',
    'map.show': 'Show {ref} on the map',
    'map.open': 'Open',
    'map.open_case': 'Open case',
    'map.due': 'Due',
    'map.no_due': 'No deadline',
    'map.reported_at': 'Reported {time}',
    'map.grids': '{n} grids',
    'map.grids_lazy': '{n} grids (shown when zoomed in)',
    'map.legend.grid': 'Grid boundary',
    'map.legend.priority': 'Dark ring: high / urgent priority',
    'map.legend.area': 'Area boundary',
  },
});

// ---------------------------------------------------------------- URL state

function filtersOf(params) {
  const statuses = (params.get('status') || '')
    .split(',')
    .filter((s) => OPEN_STATUSES.includes(s));
  return {
    category: params.get('category') || '',
    statuses,
    overdue: params.get('overdue') === '1' || params.get('overdue') === 'true',
  };
}

function viewOf(params) {
  const c = (params.get('c') || '').split(',').map(Number);
  const z = Number(params.get('z'));
  if (c.length !== 2 || !c.every(Number.isFinite) || !Number.isFinite(z) || !params.get('z')) return null;
  if (Math.abs(c[0]) > 90 || Math.abs(c[1]) > 180) return null;
  return { center: [c[0], c[1]], zoom: Math.min(20, Math.max(3, z)) };
}

function viewKey(map) {
  const c = map.getCenter();
  return { c: `${c.lat.toFixed(5)},${c.lng.toFixed(5)}`, z: String(Math.round(map.getZoom() * 2) / 2) };
}

function bboxOf(bounds) {
  const clamp = (v, m) => Math.max(-m, Math.min(m, v));
  return [
    clamp(bounds.getWest(), 180).toFixed(6),
    clamp(bounds.getSouth(), 90).toFixed(6),
    clamp(bounds.getEast(), 180).toFixed(6),
    clamp(bounds.getNorth(), 90).toFixed(6),
  ].join(',');
}

// ---------------------------------------------------------------- popup

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function popupContent(inc, map, marker) {
  const now = Date.now();
  const state = deadlineState(inc, now);
  const due = dueOf(inc);
  const root = el('div', 'map-popup');
  root.setAttribute('role', 'group');
  root.setAttribute('aria-label', inc.reference);
  const head = el('div', 'map-popup-head');
  head.append(el('strong', 'mono', inc.reference));
  head.append(el('span', `badge status-${inc.status}`, statusLabel(inc.status)));
  root.append(head);
  root.append(el('div', 'map-popup-cat', categoryName(inc.category)));
  const dl = el('div', `map-popup-due map-due--${state}`);
  dl.append(el('span', `map-dot map-dot--${state}`));
  dl.append(document.createTextNode(due ? `${stateLabel(state)} · ${fmtRelative(due, now)}` : stateLabel(state)));
  root.append(dl);
  if (inc.description) {
    const d = inc.description.length > 140 ? `${inc.description.slice(0, 140)}…` : inc.description;
    root.append(el('p', 'map-popup-desc', d));
  }
  if (inc.address) root.append(el('div', 'map-popup-addr muted', inc.address));
  root.append(el('div', 'map-popup-time muted', t('map.reported_at', { time: fmtTime(inc.created_at) })));
  const href = `/console/cases/${encodeURIComponent(inc.id)}`;
  const a = el('a', 'btn btn-small btn-primary map-popup-open', t('map.open_case'));
  a.href = href;
  a.addEventListener('click', (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  });
  root.append(a);
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      map.closePopup();
      const icon = marker.getElement && marker.getElement();
      if (icon) icon.focus({ preventScroll: true });
    }
  });
  return root;
}

// ---------------------------------------------------------------- screen

export function MapScreen({ route }) {
  const loc = useLocale();
  const me = useMe();
  const params = route.params;
  const filters = filtersOf(params);
  const filterKey = `${filters.category}|${filters.statuses.join(',')}|${filters.overdue}`;

  const mapEl = useRef(null);
  const mapRef = useRef(null);
  const clusterRef = useRef(null);
  const markersRef = useRef(new Map()); // id → L.Marker
  const overlayRef = useRef(null);
  const lastViewRef = useRef(null); // the c/z this screen last wrote or applied
  const filtersRef = useRef(filters);
  const loadRef = useRef(() => {});
  const loadedRef = useRef(null); // {key, bounds, capped}
  const seqRef = useRef(0);
  const fittedRef = useRef(false);

  const [items, setItems] = useState([]);
  const [capped, setCapped] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState(null);
  const [areas, setAreas] = useState({ loading: true, error: null, grids: 0, drawn: 0 });
  const [viewBounds, setViewBounds] = useState(null);
  const [now, setNow] = useState(Date.now());
  const [catsReady, setCatsReady] = useState(categories().length > 0);

  filtersRef.current = filters;

  useEffect(() => {
    if (!catsReady) loadCategories().then(() => setCatsReady(true), () => {});
  }, []);

  // ---- the map, once
  useEffect(() => {
    const start = viewOf(route.params);
    const map = createConfiguredMap(mapEl.current, {
      center: start ? start.center : undefined,
      zoom: start ? start.zoom : undefined,
      label: t('map.title'),
    });
    mapRef.current = map;
    if (start) {
      fittedRef.current = true;
      lastViewRef.current = viewKey(map);
    }
    const cluster = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      showCoverageOnHover: false,
      maxClusterRadius: 45,
      spiderfyOnMaxZoom: true,
      disableClusteringAtZoom: 19,
      chunkedLoading: true,
    });
    cluster.addTo(map);
    clusterRef.current = cluster;

    // Focus the popup's link when one opens, so Enter on a dot then Enter again opens the case.
    map.on('popupopen', (e) => {
      const link = e.popup.getElement() && e.popup.getElement().querySelector('a.map-popup-open');
      if (link) setTimeout(() => link.focus({ preventScroll: true }), 0);
    });

    let moveTimer = null;
    const onMove = () => {
      setViewBounds(map.getBounds());
      clearTimeout(moveTimer);
      moveTimer = setTimeout(() => {
        const v = viewKey(map);
        const last = lastViewRef.current;
        if (!last || last.c !== v.c || last.z !== v.z) {
          lastViewRef.current = v;
          setParams({ c: v.c, z: v.z });
        }
        loadRef.current(false);
      }, MOVE_DEBOUNCE_MS);
    };
    map.on('moveend', onMove);
    setViewBounds(map.getBounds());

    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => map.invalidateSize()) : null;
    if (ro) ro.observe(mapEl.current);

    return () => {
      clearTimeout(moveTimer);
      if (ro) ro.disconnect();
      if (overlayRef.current) overlayRef.current.remove();
      overlayRef.current = null;
      markersRef.current = new Map();
      map.remove();
      mapRef.current = null;
    };
  }, []);

  // ---- the grids of the caller's area
  const roots = useMemo(() => (me ? rootAreasOf(me) : undefined), [me]);
  const rootsKey = roots === undefined ? 'none' : roots === null ? 'all' : roots.join(',');
  const [areaTry, setAreaTry] = useState(0);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || roots === undefined) return undefined;
    const overlay = addAreaOverlay(map, {
      roots: roots && roots.length ? roots : null,
      onState: setAreas,
    });
    overlayRef.current = overlay;
    overlay.ready.then(
      (bounds) => {
        if (bounds && !fittedRef.current) {
          fittedRef.current = true;
          map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18, animate: false });
          loadRef.current(false);
        } else if (!fittedRef.current) {
          fittedRef.current = true;
          loadRef.current(true);
        }
      },
      () => {
        if (!fittedRef.current) {
          fittedRef.current = true;
          loadRef.current(true);
        }
      },
    );
    return () => {
      overlay.remove();
      if (overlayRef.current === overlay) overlayRef.current = null;
    };
  }, [rootsKey, areaTry]);

  // ---- reading the points
  const applyItems = useCallback((list) => {
    const cluster = clusterRef.current;
    const markers = markersRef.current;
    if (!cluster) return;
    const t0 = Date.now();
    const next = new Map(list.map((i) => [i.id, i]));
    const gone = [];
    for (const [id, m] of markers) {
      if (!next.has(id)) {
        gone.push(m);
        markers.delete(id);
      }
    }
    const added = [];
    const changed = [];
    const moved = [];
    for (const inc of list) {
      const [lng, lat] = inc.location.coordinates;
      const state = deadlineState(inc, t0);
      let m = markers.get(inc.id);
      if (!m) {
        m = L.marker([lat, lng], {
          icon: incidentIcon(inc, t0),
          title: `${inc.reference} · ${categoryName(inc.category)} · ${statusLabel(inc.status)}`,
          keyboard: true,
          riseOnHover: true,
          state,
        });
        m.incident = inc;
        const marker = m;
        m.bindPopup(() => popupContent(marker.incident, mapRef.current, marker), {
          className: 'map-leaflet-popup',
          maxWidth: 300,
          minWidth: 220,
          autoPanPadding: [24, 24],
        });
        markers.set(inc.id, m);
        added.push(m);
        continue;
      }
      const old = m.incident;
      m.incident = inc;
      if (old.location.coordinates[0] !== lng || old.location.coordinates[1] !== lat) {
        moved.push(m);
        m.setLatLng([lat, lng]);
      }
      if (old.version !== inc.version || m.options.state !== state) {
        m.options.state = state;
        m.options.title = `${inc.reference} · ${categoryName(inc.category)} · ${statusLabel(inc.status)}`;
        m.setIcon(incidentIcon(inc, t0));
        changed.push(m);
      }
    }
    if (gone.length) cluster.removeLayers(gone);
    if (moved.length) {
      cluster.removeLayers(moved);
      cluster.addLayers(moved);
    }
    if (added.length) cluster.addLayers(added);
    if (changed.length) cluster.refreshClusters(changed);
  }, []);

  const load = useCallback(
    async (force) => {
      const map = mapRef.current;
      if (!map) return;
      const f = filtersRef.current;
      const key = `${f.category}|${f.statuses.join(',')}|${f.overdue}`;
      const view = map.getBounds();
      const prev = loadedRef.current;
      if (!force && prev && prev.key === key && !prev.capped && prev.bounds.contains(view)) return;
      const wide = view.pad(0.25);
      const seq = ++seqRef.current;
      setLoading(true);
      const q = {
        bbox: bboxOf(wide),
        status: (f.statuses.length ? f.statuses : OPEN_STATUSES).join(','),
        category: f.category || undefined,
        overdue: f.overdue ? 'true' : undefined,
        limit: PAGE,
      };
      try {
        const list = [];
        let cursor;
        do {
          const page = await api.get('/incidents', { ...q, cursor });
          if (seq !== seqRef.current) return;
          list.push(...(page.items || []));
          cursor = page.next_cursor;
        } while (cursor && list.length < MAX_POINTS);
        if (seq !== seqRef.current) return;
        loadedRef.current = { key, bounds: wide, capped: !!cursor };
        applyItems(list);
        setItems(list);
        setCapped(!!cursor);
        setError(null);
        setNow(Date.now());
      } catch (e) {
        if (seq !== seqRef.current) return;
        loadedRef.current = null;
        setError(e);
      } finally {
        if (seq === seqRef.current) setLoading(false);
      }
    },
    [applyItems],
  );
  loadRef.current = load;

  // Filters changed (or first render): read again — once the view is
  // settled (a first visit waits for the grids to fit the view).
  useEffect(() => {
    if (fittedRef.current) load(true);
  }, [filterKey]);

  // The URL's view changed from outside (back/forward, a shared link).
  useEffect(() => {
    const map = mapRef.current;
    const v = viewOf(params);
    if (!map || !v) return;
    const want = { c: `${v.center[0].toFixed(5)},${v.center[1].toFixed(5)}`, z: String(v.zoom) };
    const last = lastViewRef.current;
    if (last && last.c === want.c && last.z === want.z) return;
    lastViewRef.current = want;
    fittedRef.current = true;
    map.setView(v.center, v.zoom, { animate: false });
  }, [params.get('c'), params.get('z')]);

  // Live: re-read what is in view after a burst of changes.
  useEffect(() => {
    let timer = null;
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(() => loadRef.current(true), LIVE_DEBOUNCE_MS);
    };
    const off1 = onIncidentEvent(soon);
    const off2 = onResync(soon);
    return () => {
      clearTimeout(timer);
      off1();
      off2();
    };
  }, []);

  // Deadlines pass without events: recolour every minute.
  useEffect(() => {
    const id = setInterval(() => {
      const t0 = Date.now();
      const changed = [];
      for (const m of markersRef.current.values()) {
        const s = deadlineState(m.incident, t0);
        if (s !== m.options.state) {
          m.options.state = s;
          m.setIcon(incidentIcon(m.incident, t0));
          changed.push(m);
        }
      }
      if (changed.length && clusterRef.current) clusterRef.current.refreshClusters(changed);
      setNow(t0);
    }, 60_000);
    return () => clearInterval(id);
  }, []);

  // A language switch: tooltips and cluster labels.
  useEffect(() => {
    if (overlayRef.current) overlayRef.current.relabel();
    if (clusterRef.current) clusterRef.current.refreshClusters();
  }, [loc]);

  // ---- derived
  const visible = useMemo(() => {
    const b = viewBounds;
    const list = b
      ? items.filter((i) => b.contains(L.latLng(i.location.coordinates[1], i.location.coordinates[0])))
      : items;
    return list
      .map((i) => ({ inc: i, state: deadlineState(i, now), due: dueOf(i) }))
      .sort(
        (a, b2) =>
          STATE_ORDER[a.state] - STATE_ORDER[b2.state] ||
          (a.due && b2.due ? Date.parse(a.due) - Date.parse(b2.due) : a.due ? -1 : b2.due ? 1 : 0) ||
          Date.parse(b2.inc.created_at) - Date.parse(a.inc.created_at),
      );
  }, [items, viewBounds, now]);

  const counts = useMemo(() => {
    const c = { late: 0, near: 0, ok: 0, none: 0 };
    for (const v of visible) c[v.state]++;
    return c;
  }, [visible]);

  const showOnMap = (id) => {
    const m = markersRef.current.get(id);
    const cluster = clusterRef.current;
    if (!m || !cluster) return;
    cluster.zoomToShowLayer(m, () => m.openPopup());
  };

  const fitArea = () => {
    const map = mapRef.current;
    const b = overlayRef.current && overlayRef.current.bounds();
    if (map && b) map.fitBounds(b, { padding: [16, 16], maxZoom: 18 });
  };

  // ---- filters UI
  const cats = categories();
  const groups = useMemo(() => {
    const tops = cats.filter((c) => !c.parent_code);
    return tops.map((top) => ({ top, kids: cats.filter((c) => c.parent_code === top.code) }));
  }, [cats, catsReady, loc]);

  const toggleStatus = (s) => {
    const cur = filters.statuses.length ? filters.statuses : OPEN_STATUSES;
    const next = cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s];
    if (!next.length) return; // at least one
    const all = OPEN_STATUSES.every((x) => next.includes(x));
    setParams({ status: all ? null : OPEN_STATUSES.filter((x) => next.includes(x)).join(',') });
  };
  const statusOn = (s) => !filters.statuses.length || filters.statuses.includes(s);

  const gridNote = areas.grids
    ? areas.drawn < areas.grids && !areas.loading
      ? t('map.grids_lazy', { n: areas.grids })
      : t('map.grids', { n: areas.grids })
    : '';

  return html`<div class="map-screen">
    <h1 class="visually-hidden">${t('map.title')}</h1>
    <form class="toolbar map-toolbar" aria-label=${t('map.filters')} onSubmit=${(e) => e.preventDefault()}>
      <div class="field inline">
        <label for="map-category">${t('map.category')}</label>
        <select
          id="map-category"
          value=${filters.category}
          onChange=${(e) => setParams({ category: e.currentTarget.value || null })}
        >
          <option value="">${t('map.category.all')}</option>
          ${groups.map(
            ({ top, kids }) => html`<optgroup label=${categoryName(top.code)} key=${top.code}>
              <option value=${top.code}>${t('map.category.whole', { name: categoryName(top.code) })}</option>
              ${kids.map((k) => html`<option value=${k.code} key=${k.code}>${categoryName(k.code)}</option>`)}
            </optgroup>`,
          )}
          ${filters.category && !cats.some((c) => c.code === filters.category)
            ? html`<option value=${filters.category}>${filters.category}</option>`
            : null}
        </select>
      </div>
      <span class="sep" aria-hidden="true"></span>
      <fieldset class="map-statuses">
        <legend class="map-legend-inline">${t('map.status')}</legend>
        ${OPEN_STATUSES.map(
          (s) => html`<label class=${`map-chip${statusOn(s) ? ' on' : ''}`} key=${s}>
            <input
              type="checkbox"
              checked=${statusOn(s)}
              disabled=${statusOn(s) && filters.statuses.length === 1}
              onChange=${() => toggleStatus(s)}
            />
            ${statusLabel(s)}
          </label>`,
        )}
      </fieldset>
      <span class="sep" aria-hidden="true"></span>
      <label class="map-chip map-chip-late${filters.overdue ? ' on' : ''}">
        <input
          type="checkbox"
          checked=${filters.overdue}
          onChange=${(e) => setParams({ overdue: e.currentTarget.checked ? '1' : null })}
        />
        ${t('map.overdue')}
      </label>
      <span class="grow"></span>
      <span class="map-status muted" role="status" aria-live="polite">
        ${loading ? t('map.loading') : t('map.count', { n: visible.length })}
        ${capped ? html` · <span class="map-capped">${t('map.capped', { n: MAX_POINTS })}</span>` : null}
      </span>
      <button type="button" class="btn" onClick=${() => load(true)} disabled=${loading}>${t('map.reload')}</button>
      <button type="button" class="btn" onClick=${fitArea} disabled=${!overlayRef.current || areas.loading}>
        ${t('map.fit')}
      </button>
    </form>
    ${loading || areas.loading ? html`<div class="loading-bar" aria-hidden="true"></div>` : html`<div class="map-bar-space"></div>`}
    ${error
      ? html`<div class="state-error" role="alert">
          <div class="grow">
            <strong>${t('map.points_error')}</strong>
            <p>${error.status === 0 ? t('common.network_error') : problemText(error)}</p>
          </div>
          <button type="button" class="btn" onClick=${() => load(true)}>${t('common.retry')}</button>
        </div>`
      : null}
    ${areas.error
      ? html`<div class="state-error" role="alert">
          <div class="grow">
            <strong>${t('map.areas_error')}</strong>
            <p>${areas.error.status === 0 ? t('common.network_error') : problemText(areas.error)}</p>
          </div>
          <button type="button" class="btn" onClick=${() => setAreaTry((n) => n + 1)}>${t('common.retry')}</button>
        </div>`
      : null}
    <div class="map-body">
      <aside class="map-side" aria-label=${t('map.in_view')}>
        <section class="map-legend" aria-label=${t('map.legend')}>
          <h2 class="visually-hidden">${t('map.legend')}</h2>
          <ul>
            ${['late', 'near', 'ok', 'none'].map(
              (s) => html`<li key=${s}>
                <span class=${`map-dot map-dot--${s}`} aria-hidden="true"></span>
                <span class="grow">${stateLabel(s)}</span>
                <span class="map-legend-n">${counts[s]}</span>
              </li>`,
            )}
            <li><span class="map-dot map-dot--ring" aria-hidden="true"></span><span class="grow">${t('map.legend.priority')}</span></li>
            <li><span class="map-swatch map-swatch--grid" aria-hidden="true"></span><span class="grow">${t('map.legend.grid')}</span><span class="muted">${gridNote}</span></li>
            <li><span class="map-swatch map-swatch--root" aria-hidden="true"></span><span class="grow">${t('map.legend.area')}</span></li>
          </ul>
          ${areas.loading ? html`<p class="muted map-side-note">${t('map.areas_loading')}</p>` : null}
        </section>
        <h2 class="map-side-title">${t('map.in_view')} <span class="muted">${visible.length}</span></h2>
        ${visible.length === 0 && !loading && !error
          ? html`<div class="state"><p>${t('map.empty')}</p><p>${t('map.empty_hint')}</p></div>`
          : null}
        <ul class="map-list">
          ${visible.slice(0, LIST_MAX).map(
            ({ inc, state, due }) => html`<li key=${inc.id} class=${`map-row map-row--${state}`}>
              <button
                type="button"
                class="map-row-main"
                onClick=${() => showOnMap(inc.id)}
                title=${t('map.show', { ref: inc.reference })}
              >
                <span class=${`map-dot map-dot--${state}`} aria-hidden="true"></span>
                <span class="map-row-text">
                  <span class="map-row-line">
                    <span class="mono map-row-ref">${inc.reference}</span>
                    <span class=${`map-row-due map-due--${state}`}>${due ? fmtRelative(due, now) : ''}</span>
                  </span>
                  <span class="map-row-line">
                    <span class="map-row-cat">${categoryName(inc.category)}</span>
                    <span class=${`badge status-${inc.status}`}>${statusLabel(inc.status)}</span>
                  </span>
                </span>
              </button>
              <${Link} class="btn btn-small btn-ghost" href=${`/console/cases/${encodeURIComponent(inc.id)}`}
                aria-label=${`${t('map.open_case')} ${inc.reference}`}>${t('map.open')}<//>
            </li>`,
          )}
        </ul>
        ${visible.length > LIST_MAX
          ? html`<p class="muted map-side-note">${t('map.more', { n: visible.length - LIST_MAX })}</p>`
          : null}
      </aside>
      <div class="map-canvas" ref=${mapEl}></div>
    </div>
  </div>`;
}
