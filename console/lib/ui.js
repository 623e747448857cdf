// Small shared pieces of UI: loading, error and empty states, a lazy screen
// loader and an error boundary. Optional for the screens; the shell uses them.

import { html, Component, useState, useEffect } from '../vendor/htm-preact.js';
import { t, addStrings, useLocale, locale, setLocale } from './i18n.js';
import { ApiError } from './api.js';

addStrings({
  'zh-CN': {
    'ui.screen_failed': '此页面无法加载',
    'ui.screen_crashed': '此页面出错',
    'ui.network': '无法连接服务器',
    'ui.language': '界面语言',
  },
  en: {
    'ui.screen_failed': 'This screen could not be loaded',
    'ui.screen_crashed': 'This screen failed',
    'ui.network': 'The server cannot be reached',
    'ui.language': 'Language',
  },
});

/** A loading line (announced politely to screen readers). */
export function Loading({ label }) {
  useLocale();
  return html`<div class="state" role="status" aria-live="polite"><div class="loading-bar"></div><p>${label || t('common.loading')}</p></div>`;
}

/** An error: the problem's title and detail; a retry button when `onRetry`. */
export function ErrorNote({ error, onRetry, title }) {
  useLocale();
  if (!error) return null;
  const network = error instanceof ApiError && error.status === 0;
  const heading = title || (network ? t('ui.network') : (error.problem && error.problem.title) || t('common.error'));
  const detail = network ? t('common.network_error') : error.problem ? error.problem.detail : String(error.message || error);
  const fields = (error.problem && error.problem.errors) || [];
  return html`<div class="state-error" role="alert">
    <div class="grow">
      <strong>${heading}</strong>
      ${detail && detail !== heading ? html`<p>${detail}</p>` : null}
      ${fields.length ? html`<ul>${fields.map((f) => html`<li key=${f.field}><span class="mono">${f.field}</span>: ${f.message}</li>`)}</ul>` : null}
    </div>
    ${onRetry ? html`<button type="button" class="btn" onClick=${onRetry}>${t('common.retry')}</button>` : null}
  </div>`;
}

/** An empty state. */
export function Empty({ children }) {
  return html`<div class="state">${children || t('common.empty')}</div>`;
}

/** Catches a screen's render errors so the shell keeps working. */
export class ErrorBoundary extends Component {
  constructor(props) {
    super(props);
    this.state = { error: null };
  }
  componentDidCatch(error) {
    console.error(error);
    this.setState({ error });
  }
  render({ children }, { error }) {
    if (error) {
      return html`<${ErrorNote}
        error=${error}
        title=${t('ui.screen_crashed')}
        onRetry=${() => this.setState({ error: null })}
      />`;
    }
    return children;
  }
}

const modules = new Map();

/** Imports a module once; a failed import may be tried again. */
export function importOnce(url) {
  if (!modules.has(url)) {
    const p = import(url).catch((e) => {
      modules.delete(url);
      throw e;
    });
    modules.set(url, p);
  }
  return modules.get(url);
}

/**
 * Renders `exportName` of the module at `url` (absolute, e.g.
 * `/console/screens/map.js`) with `props`, once imported. A missing or
 * broken module shows an error with a retry, not a broken console.
 */
export function Lazy({ url, exportName, props, fallback }) {
  const [state, setState] = useState({ comp: null, error: null, url: null });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let alive = true;
    setState((s) => (s.url === url ? s : { comp: null, error: null, url: null }));
    importOnce(url).then(
      (mod) => {
        if (!alive) return;
        const comp = mod[exportName];
        if (typeof comp !== 'function') {
          setState({ comp: null, error: new Error(`${url}: no export ${exportName}`), url });
        } else setState({ comp, error: null, url });
      },
      (error) => alive && setState({ comp: null, error, url }),
    );
    return () => {
      alive = false;
    };
  }, [url, exportName, attempt]);
  if (state.error) {
    return html`<${ErrorNote} error=${state.error} title=${t('ui.screen_failed')} onRetry=${() => setAttempt(attempt + 1)} />`;
  }
  if (!state.comp || state.url !== url) return fallback === undefined ? html`<${Loading} />` : fallback;
  const C = state.comp;
  return html`<${ErrorBoundary} key=${url}><${C} ...${props} /><//>`;
}

/** The language switch (zh-CN / English), remembered by i18n.js. */
export function LangSwitch({ className }) {
  const l = useLocale();
  return html`<select class=${className || ''} aria-label=${t('ui.language')} value=${l} onChange=${(e) => setLocale(e.currentTarget.value)}>
    <option value="zh-CN" lang="zh-CN">中文</option>
    <option value="en" lang="en">English</option>
  </select>`;
}

function shallowEqual(a, b) {
  for (const k in a) if (a[k] !== b[k]) return false;
  for (const k in b) if (!(k in a)) return false;
  return true;
}

/**
 * Like React's `memo`: the component re-renders only when a prop changed
 * (shallow comparison), or its own state/hooks ask for it.
 */
export function memo(fn, equal = shallowEqual) {
  class Memo extends Component {
    shouldComponentUpdate(next, nextState) {
      // A hook's state change arrives as a new state object.
      return nextState !== this.state || !equal(this.props, next);
    }
    render(props) {
      return fn(props);
    }
  }
  Memo.displayName = `Memo(${fn.displayName || fn.name})`;
  return Memo;
}
