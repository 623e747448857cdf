// Maps for every screen: Leaflet (a classic script, `window.L`) with no tile
// server unless the operator configured a basemap (`/console/config.json`),
// the grids drawn from their GeoJSON, incident points coloured by deadline.
//
//   createMap(element, {basemap, center, zoom, label}) → L.Map
//   createConfiguredMap(element, opts)           → the same, tiles added once config.json says so
//   consoleConfig()                              → Promise<{basemap}>; addBasemap(map, url)
//   drawAreas(map, featuresOrCollection, {style, className, tooltip}) → L.GeoJSON (areasLayer: not added)
//   featureContains(feature, latlng), pointInside(feature)
//   deadlineState(incident, now)                 → 'ok'|'near'|'late'|'none'
//   dueOf(incident)                              → the ISO time deadlineState looks at
//   incidentIcon(incident, now) / clusterIcon(cluster) → L.DivIcon
//   addAreaOverlay(map, {roots, onState})        → the caller's grids, loaded and drawn
//   rootAreasOf(me)                              → the area codes of the caller's roles
//   areaItem(code), areaChildren(code), areaGeometry(code) (cached)
//
// Styles are classes (`mv-…`, in screens/map.css, which index.html links for
// every screen): Leaflet sets positions through the CSSOM, never inline
// `style` attributes in HTML, so it works under the console's CSP. User text
// (area names, descriptions) goes into the DOM as text nodes only.

import { api, ApiError } from './api.js';
import { t, addStrings, localName } from './i18n.js';

const L = window.L;

/** Incident statuses still on someone's desk (`resolved` waits for verification). */
export const OPEN_STATUSES = ['reported', 'accepted', 'dispatched', 'in_progress', 'resolved'];

/** Severity order of deadline states, worst first. */
export const STATE_ORDER = { late: 0, near: 1, ok: 2, none: 3 };

if (L && L.Icon && L.Icon.Default) {
  // Leaflet guesses the path from its CSS; say it, in case a marker with the
  // default icon is ever used.
  L.Icon.Default.imagePath = '/console/vendor/leaflet/images/';
}

addStrings({
  'zh-CN': {
    'mapview.zoom_in': '放大',
    'mapview.zoom_out': '缩小',
    'mapview.map': '地图',
    'mapview.state.late': '已超时',
    'mapview.state.near': '即将超时',
    'mapview.state.ok': '时限内',
    'mapview.state.none': '无时限',
    'mapview.cluster': '{n} 件事件，最紧急：{state}',
  },
  en: {
    'mapview.zoom_in': 'Zoom in',
    'mapview.zoom_out': 'Zoom out',
    'mapview.map': 'Map',
    'mapview.state.late': 'Overdue',
    'mapview.state.near': 'Due soon',
    'mapview.state.ok': 'On time',
    'mapview.state.none': 'No deadline',
    'mapview.cluster': '{n} incidents, most urgent: {state}',
  },
});

// ---------------------------------------------------------------- config

let configPromise = null;

/** `/console/config.json` (`{basemap}`), fetched once; `{basemap:null}` on failure. */
export function consoleConfig() {
  if (!configPromise) {
    configPromise = fetch('/console/config.json', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}))
      .then((c) => ({ basemap: (c && c.basemap) || null }));
  }
  return configPromise;
}

// ---------------------------------------------------------------- the map

/**
 * A Leaflet map in `element` with no tile layer unless `basemap` (a tile URL
 * template) is given. The container gets the `mv-map` class (a calm
 * background instead of tiles) and an accessible name.
 */
export function createMap(element, { basemap = null, center, zoom, label, ...options } = {}) {
  const map = L.map(element, {
    zoomControl: false,
    attributionControl: false,
    preferCanvas: false,
    zoomSnap: 0.5,
    minZoom: 3,
    maxZoom: 20,
    worldCopyJump: false,
    ...options,
  });
  element.classList.add('mv-map');
  if (!basemap) element.classList.add('mv-map--bare');
  element.setAttribute('aria-label', label || t('mapview.map'));
  L.control
    .zoom({ position: 'topleft', zoomInTitle: t('mapview.zoom_in'), zoomOutTitle: t('mapview.zoom_out') })
    .addTo(map);
  if (basemap) addBasemap(map, basemap);
  if (center && zoom !== undefined) map.setView(center, zoom);
  else map.setView([34.75, 113.62], 12); // somewhere sane until fitted
  return map;
}

/** Adds the configured tiles under everything else (once per map). */
export function addBasemap(map, url) {
  if (!url || map._gridopsBasemap) return null;
  const layer = L.tileLayer(url, { maxZoom: 20, maxNativeZoom: 19 });
  layer.addTo(map).bringToBack();
  map._gridopsBasemap = layer;
  map.getContainer().classList.remove('mv-map--bare');
  return layer;
}

/** `createMap`, then the basemap from `/console/config.json` once it is known. */
export function createConfiguredMap(element, options = {}) {
  const map = createMap(element, options);
  let gone = false;
  map.on('unload', () => {
    gone = true;
  });
  consoleConfig().then((c) => {
    if (c.basemap && !gone) addBasemap(map, c.basemap);
  });
  return map;
}

// ---------------------------------------------------------------- areas

function textNode(s) {
  const span = document.createElement('span');
  span.textContent = s;
  return span;
}

/**
 * Draws GeoJSON areas (a FeatureCollection, a Feature or an array of
 * Features) as a layer added to `map`. `style`: Leaflet path options
 * (merged over the defaults); `className`: extra class on every path;
 * `tooltip(feature)` → text (default: the area's name in the current
 * language), or `tooltip: false`.
 */
export function drawAreas(map, data, options = {}) {
  return areasLayer(data, options).addTo(map);
}

/** The layer `drawAreas` adds, not added to any map. */
export function areasLayer(data, { style = {}, className = 'mv-area', tooltip, interactive = true, pane } = {}) {
  const features = Array.isArray(data)
    ? data
    : data && data.type === 'FeatureCollection'
      ? data.features || []
      : data
        ? [data]
        : [];
  const layer = L.geoJSON(
    { type: 'FeatureCollection', features: features.filter((f) => f && f.geometry) },
    {
      ...(pane ? { pane } : {}),
      interactive,
      style: () => ({ weight: 1, color: '#3b6ea5', fillColor: '#3b6ea5', fillOpacity: 0.04, className, ...style }),
    },
  );
  // Chromium makes SVG paths with focus listeners (Leaflet's tooltips add
  // them) tab stops: hundreds of grids must not stand between the keyboard
  // and the controls.
  layer.eachLayer((l) =>
    l.on('add', () => {
      const e = l.getElement && l.getElement();
      if (e) e.setAttribute('tabindex', '-1');
    }),
  );
  if (tooltip !== false) {
    layer.eachLayer((l) => {
      const text = tooltip ? tooltip(l.feature) : localName(l.feature && l.feature.properties);
      if (text) l.bindTooltip(textNode(text), { sticky: true, className: 'mv-tip', direction: 'top', opacity: 1 });
    });
  }
  return layer;
}

const itemCache = new Map();
const childCache = new Map();
const geomCache = new Map();

/** One area (`GET /areas/{code}`), cached for the page's life. */
export function areaItem(code) {
  if (!itemCache.has(code)) {
    const p = api.get(`/areas/${encodeURIComponent(code)}`);
    p.catch(() => itemCache.delete(code));
    itemCache.set(code, p);
  }
  return itemCache.get(code);
}

/** The children of an area (every page of `GET /areas?parent=`), cached. */
export function areaChildren(code) {
  if (!childCache.has(code)) {
    const p = api.all('/areas', { parent: code });
    p.catch(() => childCache.delete(code));
    childCache.set(code, p);
  }
  return childCache.get(code);
}

/** The boundary Feature of an area, or null when none is stored; cached. */
export function areaGeometry(code) {
  if (!geomCache.has(code)) {
    const p = api.get(`/areas/${encodeURIComponent(code)}/geometry`).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      geomCache.delete(code);
      throw e;
    });
    geomCache.set(code, p);
  }
  return geomCache.get(code);
}

/** Runs `fn` over `items` with at most `n` at once; resolves when all settle. */
async function pool(items, n, fn) {
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const item = items[i++];
      try {
        await fn(item);
      } catch {
        /* one area failing must not stop the others */
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/**
 * The area codes a user's roles cover (`/me` body), outermost only; `null`
 * when a role covers everything (an administrator without an area).
 */
export function rootAreasOf(me) {
  if (!me || !me.roles) return [];
  const roles = me.roles.filter((r) => r.role !== 'resident');
  if (roles.some((r) => r.role === 'admin' && !r.area)) return null;
  const codes = [...new Set(roles.map((r) => r.area).filter(Boolean))];
  // Drop codes that lie under another one (a code extends its parent's below the district).
  return codes.filter((c) => !codes.some((o) => o !== c && c.startsWith(o)));
}

/** The cities (or, failing them, the districts): the top of the tree. */
async function topAreas() {
  const cities = await api.all('/areas', { level: 'city' });
  if (cities.length) return cities;
  return api.all('/areas', { level: 'district' });
}

const GRID_ALL_CAP = 400; // grids loaded at once; beyond, only those in view
const LAZY_MIN_ZOOM = 14;

/**
 * Loads and draws the grids of the caller's area (the root area codes, or
 * `null` for everything): the roots' outlines, their communities, and their
 * grids with the grid names as tooltips. When there are more than a few
 * hundred grids, the grids of the communities in view are loaded as the
 * user zooms in.
 *
 * Returns `{ ready, bounds(), grids(), gridAt(latlng), relabel(), remove() }`;
 * `ready` resolves to the bounds of what was drawn (or null). `onState`
 * gets `{loading, error, grids, drawn}` as it goes.
 */
export function addAreaOverlay(map, { roots, onState = () => {}, interactive = true } = {}) {
  const group = L.featureGroup().addTo(map);
  const rootLayer = L.featureGroup().addTo(group);
  const communityLayer = L.featureGroup().addTo(group);
  const gridLayer = L.featureGroup().addTo(group);
  const gridFeatures = new Map(); // code → feature
  const gridItems = new Map(); // code → AreaItem
  const communityBounds = new Map(); // community code → L.LatLngBounds
  const gridsOfCommunity = new Map(); // community code → [grid codes]
  const requested = new Set();
  let removed = false;
  let lazy = false;
  const state = { loading: true, error: null, grids: 0, drawn: 0 };
  const emit = (patch) => {
    Object.assign(state, patch);
    if (!removed) onState({ ...state });
  };

  const gridStyle = { weight: 1, color: '#4f7cac', fillColor: '#4f7cac', fillOpacity: 0.05, className: 'mv-grid' };
  const communityStyle = { weight: 2, color: '#2f5d8a', fill: false, className: 'mv-community' };
  const rootStyle = { weight: 2.5, color: '#1f3f60', fill: false, dashArray: '6 4', className: 'mv-root' };

  function drawGrid(feature) {
    if (!feature || removed || gridFeatures.has(feature.properties.code)) return;
    gridFeatures.set(feature.properties.code, feature);
    gridLayer.addLayer(areasLayer(feature, { style: gridStyle, interactive }));
    emit({ drawn: gridFeatures.size });
  }

  async function loadGrids(codes) {
    const todo = codes.filter((c) => !requested.has(c));
    todo.forEach((c) => requested.add(c));
    await pool(todo, 6, async (code) => drawGrid(await areaGeometry(code)));
  }

  function onMove() {
    if (!lazy || map.getZoom() < LAZY_MIN_ZOOM) return;
    const view = map.getBounds();
    const codes = [];
    for (const [c, b] of communityBounds) if (view.intersects(b)) codes.push(...(gridsOfCommunity.get(c) || []));
    loadGrids(codes);
  }
  map.on('moveend', onMove);

  const ready = (async () => {
    const rootItems = roots === null || roots === undefined ? await topAreas() : await Promise.all(roots.map(areaItem));
    // Walk down to the grids, level by level (lists only: cheap).
    const communities = [];
    let frontier = rootItems.filter((a) => a.level !== 'grid' && a.level !== 'micro_grid');
    for (const a of rootItems) if (a.level === 'grid') gridItems.set(a.code, a);
    if (rootItems.some((a) => a.level === 'community')) communities.push(...rootItems.filter((a) => a.level === 'community'));
    let guard = 0;
    while (frontier.length && guard++ < 6) {
      const next = [];
      await pool(frontier, 6, async (a) => {
        const kids = await areaChildren(a.code);
        for (const k of kids) {
          if (k.level === 'grid') {
            gridItems.set(k.code, k);
            if (!gridsOfCommunity.has(a.code)) gridsOfCommunity.set(a.code, []);
            gridsOfCommunity.get(a.code).push(k.code);
          } else if (k.level !== 'micro_grid') {
            if (k.level === 'community') communities.push(k);
            next.push(k);
          }
        }
      });
      frontier = next;
    }
    if (removed) return null;
    emit({ grids: gridItems.size });

    // The outlines of the roots first: they fit the view.
    await pool(rootItems, 6, async (a) => {
      const f = await areaGeometry(a.code);
      if (f && !removed) {
        rootLayer.addLayer(
          areasLayer(f, { style: a.level === 'grid' ? gridStyle : rootStyle, interactive: false, tooltip: false }),
        );
        if (a.level === 'grid') gridFeatures.set(a.code, f);
      }
    });
    const rootBounds = rootLayer.getLayers().length ? rootLayer.getBounds() : null;

    lazy = gridItems.size > GRID_ALL_CAP;
    if (!lazy) {
      await loadGrids([...gridItems.keys()]);
    } else {
      // Too many grids for one go: communities now, their grids in view.
      await pool(communities, 6, async (c) => {
        const f = await areaGeometry(c.code);
        if (f && !removed) {
          const l = areasLayer(f, { style: communityStyle, interactive: false, tooltip: false });
          communityLayer.addLayer(l);
          communityBounds.set(c.code, l.getBounds());
        }
      });
      onMove();
    }
    rootLayer.bringToFront();
    const all = group.getLayers().some((g) => g.getLayers().length) ? group.getBounds() : null;
    emit({ loading: false });
    return rootBounds && rootBounds.isValid() ? rootBounds : all && all.isValid() ? all : null;
  })().catch((e) => {
    emit({ loading: false, error: e });
    throw e;
  });
  ready.catch(() => {});

  return {
    ready,
    layer: group,
    /** The bounds of everything drawn (null when nothing is). */
    bounds() {
      const b = group.getLayers().some((g) => g.getLayers().length) ? group.getBounds() : null;
      return b && b.isValid() ? b : null;
    },
    /** The grids known (AreaItems), in code order. */
    grids() {
      return [...gridItems.values()].sort((a, b) => a.code.localeCompare(b.code));
    },
    /** The drawn grid feature containing `latlng`, or null. */
    gridAt(latlng) {
      for (const f of gridFeatures.values()) if (featureContains(f, latlng)) return f;
      return null;
    },
    /** Loads one grid's boundary (for the report screen's grid picker). */
    gridFeature(code) {
      return areaGeometry(code).then((f) => {
        drawGrid(f);
        return f;
      });
    },
    /** Re-reads the tooltips after a language switch. */
    relabel() {
      gridLayer.eachLayer((g) =>
        g.eachLayer((l) => {
          if (l.getTooltip()) l.setTooltipContent(textNode(localName(l.feature.properties)));
        }),
      );
    },
    remove() {
      removed = true;
      map.off('moveend', onMove);
      group.remove();
    },
  };
}

// ---------------------------------------------------------------- geometry

function ringContains(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function polygonContains(rings, x, y) {
  if (!rings.length || !ringContains(rings[0], x, y)) return false;
  for (let k = 1; k < rings.length; k++) if (ringContains(rings[k], x, y)) return false;
  return true;
}

/** Whether a GeoJSON (Multi)Polygon feature contains `latlng`. */
export function featureContains(feature, latlng) {
  const g = feature && feature.geometry;
  if (!g) return false;
  const { lat, lng } = L.latLng(latlng);
  if (g.type === 'Polygon') return polygonContains(g.coordinates, lng, lat);
  if (g.type === 'MultiPolygon') return g.coordinates.some((p) => polygonContains(p, lng, lat));
  return false;
}

/**
 * A point inside a (Multi)Polygon feature, near its middle: the centre of
 * its bounds when that is inside, else the middle of the widest horizontal
 * run through the middle latitude.
 */
export function pointInside(feature) {
  const b = L.geoJSON(feature).getBounds();
  const c = b.getCenter();
  if (featureContains(feature, c)) return c;
  const y = c.lat;
  const xs = [];
  const polys = feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates;
  for (const p of polys)
    for (const ring of p)
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
      }
  xs.sort((a, b2) => a - b2);
  let best = null;
  for (let k = 0; k + 1 < xs.length; k += 2) if (!best || xs[k + 1] - xs[k] > best[1] - best[0]) best = [xs[k], xs[k + 1]];
  return best ? L.latLng(y, (best[0] + best[1]) / 2) : c;
}

// ---------------------------------------------------------------- deadlines

/**
 * The deadline that matters now: `acknowledge_due` while dispatched and not
 * acknowledged, else `resolve_due` while open; null otherwise.
 */
export function dueOf(incident) {
  if (!incident) return null;
  const s = incident.status;
  if (s === 'dispatched' && incident.acknowledge_due) return incident.acknowledge_due;
  if (s === 'reported' || s === 'accepted' || s === 'dispatched' || s === 'in_progress') return incident.resolve_due || null;
  return null;
}

/**
 * `'late'` past the deadline while open, `'near'` with under 25 % of the time
 * from `created_at` to the deadline left, `'ok'` before that, `'none'` when
 * no deadline runs (resolved, closed, rejected, or none set).
 */
export function deadlineState(incident, now = Date.now()) {
  const due = dueOf(incident);
  if (!due) return 'none';
  const t0 = now instanceof Date ? now.getTime() : now;
  const end = Date.parse(due);
  if (!Number.isFinite(end)) return 'none';
  if (t0 >= end) return 'late';
  const start = Date.parse(incident.created_at);
  const span = end - start;
  if (Number.isFinite(start) && span > 0 && end - t0 < span * 0.25) return 'near';
  return 'ok';
}

/** The label of a deadline state. */
export function stateLabel(state) {
  return t(`mapview.state.${state}`);
}

// ---------------------------------------------------------------- icons

/** A dot for one incident, coloured by its deadline state (classes `mv-pin--…`). */
export function incidentIcon(incident, now = Date.now()) {
  const state = deadlineState(incident, now);
  const cls = ['mv-pin', `mv-pin--${state}`];
  if (incident.priority === 'urgent' || incident.priority === 'high') cls.push(`mv-pin--${incident.priority}`);
  return L.divIcon({ className: cls.join(' '), html: '', iconSize: [16, 16], iconAnchor: [8, 8], popupAnchor: [0, -8] });
}

/**
 * A markercluster `iconCreateFunction`: the count, coloured by the worst
 * member's state (each marker carries `options.state`).
 */
export function clusterIcon(cluster) {
  const markers = cluster.getAllChildMarkers();
  let worst = 'none';
  for (const m of markers) {
    const s = m.options.state || 'none';
    if (STATE_ORDER[s] < STATE_ORDER[worst]) worst = s;
    if (worst === 'late') break;
  }
  const n = cluster.getChildCount();
  const size = n < 10 ? 30 : n < 100 ? 36 : 44;
  const wrap = document.createElement('span');
  const count = document.createElement('span');
  count.className = 'mv-cluster-n';
  count.setAttribute('aria-hidden', 'true');
  count.textContent = String(n);
  const label = document.createElement('span');
  label.className = 'mv-sr';
  label.textContent = t('mapview.cluster', { n, state: stateLabel(worst) });
  wrap.append(count, label);
  return L.divIcon({
    html: wrap,
    className: `mv-cluster mv-cluster--${worst}`,
    iconSize: L.point(size, size),
  });
}

