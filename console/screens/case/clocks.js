// The routing explanation (GET /incidents/{id}/routing, in the reader's
// language) and the clocks (GET /incidents/{id}/deadlines) with the pending
// suspension/extension requests a dispatcher decides.
import { html, useState } from '../../vendor/htm-preact.js';
import { api } from '../../lib/api.js';
import { t, fmtTime, fmtRelative } from '../../lib/i18n.js';
import { partyName, areaName, userName, useNames, unitText, problemDetail, hasRole, rememberUser } from './util.js';
import { dispatcherCovers } from './actions.js';

function Retry({ error, onRetry }) {
  return html`<div class="case-alert case-alert-err" role="alert">
    <p>${problemDetail(error)}</p>
    <button type="button" class="btn" onClick=${onRetry}>${t('case.retry')}</button>
  </div>`;
}

// ---- routing -----------------------------------------------------------
function recipientText(r) {
  if (!r) return '';
  if (r.kind === 'party') return (r.party && r.party.name) || partyName(String(r.code).replace(/^party:/, ''));
  if (r.kind === 'users') {
    const names = (r.users || []).map((u) => u.name).join('、');
    const rk = `case.role.${r.role}`;
    const who = r.role ? (t(rk) === rk ? r.role : t(rk)) : '';
    return [r.area && r.area.name, names || who].filter(Boolean).join(' · ');
  }
  if (r.kind === 'queue') return t('case.clock.dispatchers', { area: (r.area && r.area.name) || areaName(String(r.code).replace(/^queue:/, '')) });
  return r.code;
}

function Decision({ d }) {
  const cause = t(`case.routing.cause.${d.cause}`);
  const mode = t(`case.routing.mode.${d.mode}`);
  for (const u of (d.recipient && d.recipient.users) || []) rememberUser(u.code, u.name);
  const outcome = (d.explanation || [])[0];
  const considered = d.considered || [];
  return html`<li class="case-decision">
    <div class="case-decision-head">
      <strong>${cause.startsWith('case.') ? d.cause : cause}</strong>
      <time datetime=${d.decided_at}>${fmtTime(d.decided_at)}</time>
      <span class="badge">${mode.startsWith('case.') ? d.mode : mode}</span>
    </div>
    ${outcome && html`<p class="case-decision-outcome">${outcome}</p>`}
    <dl class="case-dl case-dl-tight">
      <dt>${t('case.routing.rule')}</dt>
      <dd>
        ${d.rule
          ? d.rule.name || html`<span class="case-muted">${d.rule.id} ${t('case.routing.deletedRule')}</span>`
          : t('case.routing.noRule')}
      </dd>
      <dt>${t('case.routing.recipient')}</dt>
      <dd>${recipientText(d.recipient)}</dd>
      ${d.assists && d.assists.length
        ? html`<dt>${t('case.assists.title')}</dt>
            <dd>${d.assists.map((a) => a.name).join('、')}</dd>`
        : null}
      ${d.on_duty && d.on_duty.length
        ? html`<dt>${t('case.routing.onDutyLabel')}</dt>
            <dd>${d.on_duty.map((o) => o.user && o.user.name).join('、')}</dd>`
        : null}
    </dl>
    ${considered.length > 0 &&
    html`<details class="case-considered">
      <summary>${t('case.routing.considered', { n: considered.length })}</summary>
      <ol>
        ${considered.map(
          (c) => html`<li key=${c.rule && c.rule.id} class=${c.verdict && c.verdict.kind === 'chosen' ? 'is-chosen' : ''}>
            <span class="badge">${c.verdict && c.verdict.kind === 'chosen' ? t('case.routing.verdict.chosen') : (c.verdict && c.verdict.kind) || ''}</span>
            ${' '}${c.text}
          </li>`,
        )}
      </ol>
    </details>`}
  </li>`;
}

export function RoutingPanel({ state, headingId, onRetry }) {
  useNames();
  let body;
  if (state.error) body = html`<${Retry} error=${state.error} onRetry=${onRetry} />`;
  else if (!state.data) body = html`<p class="case-muted">${t('case.loading')}</p>`;
  else if (!state.data.decisions || state.data.decisions.length === 0)
    body = html`<p class="case-muted">${t('case.routing.none')}</p>`;
  else
    body = html`<ol class="case-decisions">
      ${state.data.decisions.map((d) => html`<${Decision} key=${d.id} d=${d} />`)}
    </ol>`;
  return html`<section class="case-section" aria-labelledby=${headingId}>
    <h3 id=${headingId}>${t('case.routing')}</h3>
    ${body}
  </section>`;
}

// ---- clocks ------------------------------------------------------------
function clockOwner(c) {
  if (c.party) return partyName(c.party);
  return t('case.clock.dispatchers', { area: areaName(c.area) });
}

function clockState(c) {
  if (c.state === 'running') {
    if (c.red) return html`<span class="badge case-late">${t('case.clock.red')}</span>`;
    if (c.yellow) return html`<span class="badge case-near">${t('case.clock.yellow')}</span>`;
    return html`<span class="badge case-ok">${t('case.clock.running')}</span>`;
  }
  if (c.state === 'paused') return html`<span class="badge case-paused">${t('case.clock.paused')}</span>`;
  if (c.state === 'met') {
    const late = c.ended_at && c.due_at && new Date(c.ended_at) > new Date(c.due_at);
    return html`<span class=${`badge ${late ? 'case-late' : 'case-done'}`}>${t(late ? 'case.clock.metLate' : 'case.clock.met')}</span>`;
  }
  return html`<span class="badge case-muted">${t('case.clock.cancelled')}</span>`;
}

function stepName(s) {
  const k = `case.clock.${s}`;
  const v = t(k);
  return v === k ? s : v;
}

function RequestRow({ r, incident, onChanged }) {
  useNames();
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const mayDecide = dispatcherCovers(incident.grid);
  const mayEnd = mayDecide || hasRole('handler');
  async function act(what) {
    setBusy(true);
    setErr(null);
    try {
      // A suspension's end and the ledger's (back into work) alike.
      const path = `/incidents/${incident.id}/clock-requests/${r.id}/${what}`;
      await api.post(path);
      setBusy(false);
      onChanged(what);
    } catch (e) {
      setBusy(false);
      setErr(e);
    }
  }
  const kind = t(`case.request.${r.kind}`);
  const running = (r.kind === 'suspend' || r.kind === 'ledger') && r.state === 'approved' && !r.ended_at;
  return html`<li class=${`case-request is-${r.state}`}>
    <div class="case-request-head">
      <strong>${kind}</strong>
      ${r.extend_by && html`<span>${t('case.request.extendBy', { amount: unitText(r.extend_by) })}</span>`}
      ${r.review_on && html`<span>${t('case.request.reviewOn', { date: r.review_on })}</span>`}
      <span class=${`badge ${r.state === 'pending' ? 'case-near' : ''}`}>${t(`case.request.${r.state}`)}</span>
    </div>
    <p class="case-request-reason">${r.reason}</p>
    <p class="case-muted">
      ${t('case.request.by', { who: userName(r.requested_by), time: fmtTime(r.requested_at) })}
      ${r.decided_by ? ` · ${t('case.request.decided', { who: userName(r.decided_by), time: fmtTime(r.decided_at) })}` : ''}
    </p>
    ${err && html`<p class="case-field-error" role="alert">${problemDetail(err)}</p>`}
    ${r.state === 'pending' && mayDecide
      ? html`<div class="case-row">
          <button type="button" class="btn btn-primary" disabled=${busy} onClick=${() => act('approve')}>
            ${t('case.request.approve')} · ${kind}
          </button>
          <button type="button" class="btn btn-danger" disabled=${busy} onClick=${() => act('refuse')}>
            ${t('case.request.refuse')} · ${kind}
          </button>
        </div>`
      : null}
    ${running && mayEnd
      ? html`<div class="case-row">
          <button type="button" class="btn" disabled=${busy} onClick=${() => act('end')}>${t(r.kind === 'ledger' ? 'case.request.endLedger' : 'case.request.end')}</button>
        </div>`
      : null}
  </li>`;
}

export function ClocksPanel({ state, incident, headingId, onRetry, onChanged }) {
  useNames();
  let body;
  if (state.error) body = html`<${Retry} error=${state.error} onRetry=${onRetry} />`;
  else if (!state.data) body = html`<p class="case-muted">${t('case.loading')}</p>`;
  else {
    const items = state.data.items || [];
    const requests = state.data.requests || [];
    body = html`
      ${items.length === 0
        ? html`<p class="case-muted">${t('case.clocks.none')}</p>`
        : html`<table class="case-table">
            <thead>
              <tr>
                <th scope="col">${t('case.clocks.step')}</th>
                <th scope="col">${t('case.clocks.owner')}</th>
                <th scope="col">${t('case.clocks.due')}</th>
                <th scope="col">${t('case.clocks.state')}</th>
                <th scope="col">${t('case.clocks.notes')}</th>
              </tr>
            </thead>
            <tbody>
              ${items.map(
                (c) => html`<tr key=${c.id} class=${c.state === 'met' || c.state === 'cancelled' ? 'is-done' : c.red && c.state === 'running' ? 'is-late' : c.yellow && c.state === 'running' ? 'is-near' : ''}>
                  <td>${stepName(c.step)}</td>
                  <td>${clockOwner(c)}</td>
                  <td>
                    <time datetime=${c.due_at}>${fmtTime(c.due_at)}</time>
                    ${c.state === 'running' ? html`<br /><span class="case-muted">${fmtRelative(c.due_at)}</span>` : null}
                  </td>
                  <td>${clockState(c)}</td>
                  <td class="case-muted">
                    ${[
                      c.extensions ? t('case.clock.extensions', { n: c.extensions }) : '',
                      c.suspensions ? t('case.clock.suspensions', { n: c.suspensions }) : '',
                      c.escalated_to ? t('case.clock.escalated', { area: areaName(c.escalated_to) }) : '',
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      ${requests.length > 0 &&
      html`<h4>${t('case.requests')}</h4>
        <ul class="case-requests">
          ${requests.map((r) => html`<${RequestRow} key=${r.id} r=${r} incident=${incident} onChanged=${onChanged} />`)}
        </ul>`}
    `;
  }
  return html`<section class="case-section" aria-labelledby=${headingId}>
    <h3 id=${headingId}>${t('case.clocks')}</h3>
    ${body}
  </section>`;
}
