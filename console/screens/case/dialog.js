// A modal <dialog>: opened with showModal() (the rest of the page is inert),
// Tab wraps inside it, Escape closes it, focus returns where it came from.
import { html, useRef, useLayoutEffect, useMemo } from '../../vendor/htm-preact.js';
import { t } from '../../lib/i18n.js';
import { uid } from './util.js';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Modal({ title, onClose, children, className = '', returnFocus }) {
  const ref = useRef(null);
  const titleId = useMemo(() => uid('dlg'), []);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useLayoutEffect(() => {
    const d = ref.current;
    const opener = document.activeElement;
    let gone = false;
    if (!d.open) {
      try {
        d.showModal();
      } catch {
        d.setAttribute('open', '');
      }
    }
    // Focus the first field (or the first control) inside.
    const first =
      d.querySelector('[autofocus]') ||
      d.querySelector('input:not([type="hidden"]):not([disabled]), select, textarea') ||
      d.querySelector(FOCUSABLE);
    if (first) first.focus();
    const onNativeClose = () => {
      if (!gone) closeRef.current();
    };
    d.addEventListener('close', onNativeClose);
    return () => {
      gone = true;
      d.removeEventListener('close', onNativeClose);
      if (d.open) d.close();
      const back =
        opener && opener.isConnected && opener !== document.body
          ? opener
          : returnFocus && returnFocus.current;
      if (back && back.focus) back.focus();
    };
  }, []);

  const onKeyDown = (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closeRef.current();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = [...ref.current.querySelectorAll(FOCUSABLE)].filter(
      (el) => el.offsetParent !== null || el === document.activeElement,
    );
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  // `cancel` (Escape handled by the browser) must not close it behind Preact's back.
  const onCancel = (e) => {
    e.preventDefault();
    closeRef.current();
  };

  return html`<dialog
    ref=${ref}
    class=${`case-dialog ${className}`}
    aria-labelledby=${titleId}
    onKeyDown=${onKeyDown}
    onCancel=${onCancel}
  >
    <div class="case-dialog-head">
      <h3 id=${titleId}>${title}</h3>
      <button type="button" class="btn case-x" aria-label=${t('case.cancel')} onClick=${() => closeRef.current()}>×</button>
    </div>
    ${children}
  </dialog>`;
}
