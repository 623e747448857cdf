// Taking a lifecycle step: POST with If-Match, and the messages for what can
// go wrong (412 someone acted first, 409 no longer possible, 422 fields).
import { html, useState, useEffect } from '../../vendor/htm-preact.js';
import { api } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { etagOf, fieldErrors, problemDetail } from './util.js';

/**
 * State of one form that posts a step. `submit(path, body, {ifMatch})`
 * resolves to the answer or null (the error is then in `error`).
 */
export function useStepForm(ctx, fields = []) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  // A reload after a 412/409 clears the message: the user may submit again.
  useEffect(() => {
    if (error && (error.status === 412 || error.status === 409)) setError(null);
  }, [ctx.incident.version]);
  // A field error moves focus to its field (keyboard and screen-reader users).
  useEffect(() => {
    if (!errs || !Object.keys(errs).some((k) => k !== '_')) return;
    requestAnimationFrame(() => {
      const scope = document.querySelector('dialog[open]') || document.getElementById('case-comment-form');
      const err = scope && scope.querySelector('.case-field-error');
      const box = err && err.closest('.field, fieldset, form');
      const input = box && box.querySelector('input:not([type="hidden"]), select, textarea');
      if (input) input.focus();
    });
  }, [errs]);
  async function submit(path, body, { ifMatch = true } = {}) {
    setSending(true);
    setError(null);
    setErrs({});
    try {
      const opts = ifMatch ? { ifMatch: etagOf(ctx.incident.version) } : {};
      const out = await api.post(path, body, opts);
      setSending(false);
      return out ?? {};
    } catch (e) {
      setSending(false);
      setError(e);
      if (e && e.status === 422) setErrs(fieldErrors(e, fields));
      return null;
    }
  }
  return { sending, error, errs, setErrs, submit, clear: () => (setError(null), setErrs({})) };
}

/** The message above a form's buttons after a failed submit. */
export function StepError({ error, errs, onReload }) {
  if (!error) return null;
  if (error.status === 412) {
    return html`<div class="case-alert case-alert-warn" role="alert">
      <p><strong>${t('case.conflict')}</strong> ${t('case.conflictHint')}</p>
      <button type="button" class="btn" onClick=${onReload}>${t('case.reload')}</button>
    </div>`;
  }
  if (error.status === 409) {
    return html`<div class="case-alert case-alert-warn" role="alert">
      <p>${problemDetail(error)}</p>
      <button type="button" class="btn" onClick=${onReload}>${t('case.reload')}</button>
    </div>`;
  }
  if (error.status === 422) {
    const general = errs && errs._;
    const any = errs && Object.keys(errs).length;
    return html`<div class="case-alert case-alert-err" role="alert">
      <p>${any ? t('case.fieldErrors') : problemDetail(error)}</p>
      ${general && html`<p>${general}</p>`}
    </div>`;
  }
  return html`<div class="case-alert case-alert-err" role="alert">
    <p>${problemDetail(error)}</p>
  </div>`;
}

/** A field's own error line, referenced by aria-describedby. */
export function FieldError({ id, text }) {
  if (!text) return null;
  return html`<p id=${id} class="case-field-error">${text}</p>`;
}
