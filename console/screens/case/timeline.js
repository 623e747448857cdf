// The timeline (every event, oldest first) and the comment box under it.
import { html, useState, useMemo, useEffect } from '../../vendor/htm-preact.js';
import { t, fmtTime, statusLabel } from '../../lib/i18n.js';
import { me } from '../../lib/session.js';
import { actionLabel, rememberUser, uid, SYSTEM_ACTOR } from './util.js';
import { useStepForm, StepError, FieldError } from './step.js';

/**
 * Who did it: the staff member's name the API gives (`actor_name`), else a
 * role-neutral word (the timeline names no resident and no client app).
 */
export function actorLabel(ev) {
  const m = me();
  const self = !!m && (m.user?.id === ev.actor_id || m.id === ev.actor_id);
  if (ev.actor_name) return self ? t('case.self', { name: ev.actor_name }) : ev.actor_name;
  if (ev.actor_id === SYSTEM_ACTOR) return t('case.system');
  if (ev.action === 'report') return t('case.actor.reporter');
  return t('case.actor.resident');
}

export function Timeline({ incident, headingId, ctx }) {
  const events = [...(incident.timeline || [])].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  // The names the timeline brings also serve the rest of the case (clock requests).
  useEffect(() => {
    for (const ev of incident.timeline || []) if (ev.actor_name) rememberUser(ev.actor_id, ev.actor_name);
  }, [incident.timeline]);
  const canComment = (incident.allowed_actions || []).includes('comment');
  return html`<section class="case-section" aria-labelledby=${headingId}>
    <h3 id=${headingId}>${t('case.timeline')}</h3>
    ${events.length === 0
      ? html`<p class="case-muted">${t('case.timeline.empty')}</p>`
      : html`<ol class="case-timeline">
          ${events.map(
            (ev) => html`<li key=${ev.seq} class=${`case-ev case-ev-${ev.action}`}>
              <div class="case-ev-head">
                <strong class="case-ev-action">${actionLabel(ev.action)}</strong>
                ${ev.from && ev.to && ev.from !== ev.to
                  ? html`<span class="case-ev-status">${statusLabel(ev.from)} → ${statusLabel(ev.to)}</span>`
                  : null}
                <span class="case-ev-actor">${actorLabel(ev)}</span>
                <time class="case-ev-time" datetime=${ev.at}>${fmtTime(ev.at)}</time>
              </div>
              ${ev.note && html`<p class="case-ev-note">${ev.note}</p>`}
              ${ev.attachments && ev.attachments.length
                ? html`<p class="case-muted case-ev-att">${t('case.timeline.attachments', { n: ev.attachments.length })}</p>`
                : null}
            </li>`,
          )}
        </ol>`}
    ${canComment && html`<${CommentForm} ctx=${ctx} />`}
  </section>`;
}

function CommentForm({ ctx }) {
  const ids = useMemo(() => ({ text: uid('cm'), err: uid('cme') }), []);
  const [text, setTextState] = useState(() => ctx.drafts.comment || '');
  const step = useStepForm(ctx, ['text']);
  const setText = (v) => {
    ctx.drafts.comment = v;
    setTextState(v);
  };
  async function send(e) {
    if (e) e.preventDefault();
    if (!text.trim()) {
      step.setErrs({ text: t('case.comment.empty') });
      return;
    }
    const out = await step.submit(`/incidents/${ctx.incident.id}/comment`, { text: text.trim() });
    if (out) {
      setText('');
      ctx.afterStep('comment', out);
    }
  }
  const onKeyDown = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e);
  };
  return html`<form class="case-comment" onSubmit=${send} id="case-comment-form">
    <label for=${ids.text}>${t('case.comment.label')}</label>
    <textarea
      id=${ids.text}
      rows="2"
      value=${text}
      placeholder=${t('case.comment.placeholder')}
      aria-invalid=${step.errs.text ? 'true' : undefined}
      aria-describedby=${step.errs.text ? ids.err : undefined}
      onInput=${(e) => setText(e.currentTarget.value)}
      onKeyDown=${onKeyDown}
    ></textarea>
    <${FieldError} id=${ids.err} text=${step.errs.text} />
    <${StepError} error=${step.error} errs=${step.errs} onReload=${ctx.reload} />
    <div class="case-row">
      <button type="submit" class="btn" disabled=${step.sending}>
        ${step.sending ? t('case.sending') : t('case.comment.send')}
      </button>
    </div>
  </form>`;
}
