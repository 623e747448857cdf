// The small map of a case: the grid's boundary and the incident's pin.
// Leaflet comes as a classic script (window.L); tiles only when the server
// configures a basemap. The map is removed on unmount and on a new case.
import { html, useEffect, useRef, useState } from '../../vendor/htm-preact.js';
import { api } from '../../lib/api.js';
import { t, locale } from '../../lib/i18n.js';
import { consoleConfig, rememberArea } from './util.js';

export function MiniMap({ incidentId, grid, lng, lat }) {
  const el = useRef(null);
  const [note, setNote] = useState('');

  useEffect(() => {
    const L = window.L;
    if (!L || !el.current) {
      setNote(t('case.mapUnavailable'));
      return undefined;
    }
    setNote('');
    let alive = true;
    const map = L.map(el.current, {
      zoomControl: true,
      attributionControl: true,
      scrollWheelZoom: false,
      keyboard: true,
    });
    map.attributionControl.setPrefix(false);
    const here = [lat, lng];
    map.setView(here, 16);
    const pin = L.circleMarker(here, {
      radius: 8,
      weight: 3,
      color: '#b42318',
      fillColor: '#f04438',
      fillOpacity: 0.9,
    }).addTo(map);
    pin.bindTooltip(t('case.coords', { lat: lat.toFixed(6), lng: lng.toFixed(6) }));

    consoleConfig().then((cfg) => {
      if (!alive || !cfg || !cfg.basemap) return;
      L.tileLayer(cfg.basemap, { maxZoom: 19, attribution: '' }).addTo(map).bringToBack();
    });

    if (grid) {
      api
        .get(`/areas/${encodeURIComponent(grid)}/geometry`)
        .then((feature) => {
          if (!alive || !feature || !feature.geometry) return;
          if (feature.properties) rememberArea(grid, feature.properties);
          const layer = L.geoJSON(feature, {
            style: { color: '#1d4ed8', weight: 2, fillColor: '#3b82f6', fillOpacity: 0.08 },
            interactive: false,
          }).addTo(map);
          pin.bringToFront();
          const b = layer.getBounds();
          if (b.isValid()) map.fitBounds(b.extend(L.latLng(here)), { padding: [12, 12], maxZoom: 17 });
        })
        .catch((e) => {
          if (alive && e && e.status === 404) setNote(t('case.noBoundary'));
        });
    }
    // The split pane may size the container after mount.
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => map.invalidateSize()) : null;
    if (ro) ro.observe(el.current);
    return () => {
      alive = false;
      if (ro) ro.disconnect();
      map.remove();
    };
  }, [incidentId, grid, lng, lat]);

  return html`<div class="case-map-wrap">
    <div
      ref=${el}
      class="case-map"
      role="region"
      aria-label=${t('case.mapLabel')}
      lang=${locale()}
    ></div>
    ${note && html`<p class="case-muted case-map-note">${note}</p>`}
  </div>`;
}
