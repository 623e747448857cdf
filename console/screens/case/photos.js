// Photos of a case, before and after side by side. Images need the bearer
// token, so each is fetched by the api module and shown from a blob: URL
// (revoked when the photo or the case goes away).
import { html, useEffect, useState } from '../../vendor/htm-preact.js';
import { api } from '../../lib/api.js';
import { t, fmtTime } from '../../lib/i18n.js';
import { apiPath } from './util.js';
import { Modal } from './dialog.js';

/** key → blob URL for the given photos; revoked on change/unmount. */
function useBlobUrls(photos) {
  const [urls, setUrls] = useState({});
  const keys = photos.map((p) => p.key).join(',');
  useEffect(() => {
    let alive = true;
    const made = [];
    setUrls({});
    for (const p of photos) {
      Promise.resolve()
        .then(() => api.blobUrl(apiPath(p.url)))
        .then((u) => {
          if (!alive) {
            URL.revokeObjectURL(u);
            return;
          }
          made.push(u);
          setUrls((m) => ({ ...m, [p.key]: u }));
        })
        .catch(() => {
          if (alive) setUrls((m) => ({ ...m, [p.key]: false }));
        });
    }
    return () => {
      alive = false;
      for (const u of made) URL.revokeObjectURL(u);
    };
  }, [keys]);
  return urls;
}

function altFor(p, i) {
  return t('case.photos.alt', {
    kind: t(`case.photos.${p.kind === 'after' ? 'after' : 'before'}`),
    n: i + 1,
    time: fmtTime(p.uploaded_at),
  });
}

export function Photos({ photos, headingId }) {
  const list = photos || [];
  const urls = useBlobUrls(list);
  const [open, setOpen] = useState(null); // index into `all`
  const before = list.filter((p) => p.kind !== 'after');
  const after = list.filter((p) => p.kind === 'after');
  const all = [...before, ...after];

  const column = (kind, items, offset) => html`<div class="case-photo-col">
    <h4>${t(`case.photos.${kind}`)} <span class="case-muted">(${items.length})</span></h4>
    ${items.length === 0
      ? html`<p class="case-muted">${t('case.photos.none')}</p>`
      : html`<ul class="case-thumbs">
          ${items.map((p, i) => {
            const u = urls[p.key];
            const kindName = t(`case.photos.${kind}`);
            return html`<li key=${p.key}>
              <button
                type="button"
                class="case-thumb"
                aria-label=${t('case.photos.open', { kind: kindName, n: i + 1 })}
                onClick=${() => setOpen(offset + i)}
              >
                ${u
                  ? html`<img src=${u} alt=${altFor(p, i)} loading="lazy" />`
                  : u === false
                    ? html`<span class="case-thumb-fail">${t('case.photos.failed')}</span>`
                    : html`<span class="case-thumb-wait" aria-hidden="true"></span>`}
              </button>
            </li>`;
          })}
        </ul>`}
  </div>`;

  const current = open != null ? all[open] : null;
  const idxInKind = current ? (current.kind === 'after' ? open - before.length : open) : 0;
  return html`<section class="case-section" aria-labelledby=${headingId}>
    <h3 id=${headingId}>${t('case.photos')}</h3>
    ${list.length === 0
      ? html`<p class="case-muted">${t('case.photos.none')}</p>`
      : html`<div class="case-photos">
          ${column('before', before, 0)} ${column('after', after, before.length)}
        </div>`}
    ${current &&
    html`<${Modal}
      title=${altFor(current, idxInKind)}
      className="case-lightbox"
      onClose=${() => setOpen(null)}
    >
      <div class="case-lightbox-body">
        ${urls[current.key]
          ? html`<img src=${urls[current.key]} alt=${altFor(current, idxInKind)} />`
          : html`<p class="case-muted">${t(urls[current.key] === false ? 'case.photos.failed' : 'case.loading')}</p>`}
        <p class="case-muted">
          ${t('case.photos.uploadedAt', { time: fmtTime(current.uploaded_at) })}
          ${current.taken_at ? ` · ${t('case.photos.takenAt', { time: fmtTime(current.taken_at) })}` : ''}
        </p>
        <div class="case-row">
          <button type="button" class="btn" disabled=${open === 0} onClick=${() => setOpen(open - 1)}>
            ← ${t('case.photos.prev')}
          </button>
          <button type="button" class="btn" disabled=${open >= all.length - 1} onClick=${() => setOpen(open + 1)}>
            ${t('case.photos.next')} →
          </button>
        </div>
      </div>
    <//>`}
  </section>`;
}
