// The suite's `test`: Playwright's, plus
// - `api`: the REST client (lib/api.mjs) on the server under test;
// - English: the console's language switch is set to English before the
//   first page of each context (the default, zh-CN, is the console's own
//   business; English keeps these tests readable);
// - a guard on every test (automatic): every request of every page must go to
//   127.0.0.1, no JavaScript dialog may open, no uncaught error, and no
//   console error except the ones a test declares expected
//   (`guard.allowConsole(/…/)`). CSP violations are recorded in the page
//   (`window.__cspViolations`) and also fail the test.

import { test as base, expect } from '@playwright/test';
import { Api, DEMO_PASSWORD } from './api.mjs';

export { expect };

/** Whether a request stays on this machine's loopback. */
export function isLoopback(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:') return true; // no request at all
  if (u.protocol === 'blob:') return isLoopback(url.slice('blob:'.length));
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname === '127.0.0.1';
}

/** Runs in every document before its scripts: the language, and a CSP recorder. */
function initScript() {
  try {
    if (!localStorage.getItem('gridops.locale')) localStorage.setItem('gridops.locale', 'en');
  } catch {
    /* storage blocked */
  }
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push({
      directive: e.violatedDirective || e.effectiveDirective,
      blocked: e.blockedURI,
      source: e.sourceFile,
      line: e.lineNumber,
      sample: e.sample,
    });
  });
}

/** Attaches the guard's recorders to a context and its pages. */
export function watchContext(context, rec) {
  const watchPage = (page) => {
    if (rec.pages.has(page)) return;
    rec.pages.add(page);
    page.on('console', (m) => {
      if (m.type() === 'error') rec.consoleErrors.push({ text: m.text(), url: (m.location() || {}).url || '' });
    });
    page.on('pageerror', (e) => rec.pageErrors.push(String(e && e.stack ? e.stack : e)));
    page.on('dialog', (d) => {
      rec.dialogs.push(`${d.type()}: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
  };
  context.on('request', (r) => rec.requests.push(r.url()));
  context.on('page', watchPage);
  for (const p of context.pages()) watchPage(p);
}

export const test = base.extend({
  api: async ({ baseURL }, use) => {
    await use(new Api(baseURL));
  },

  context: async ({ context }, use) => {
    await context.addInitScript(initScript);
    await use(context);
  },

  guard: [
    async ({ context }, use, testInfo) => {
      const rec = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [], pages: new Set(), allowed: [] };
      // A first load without a session: the console tries the refresh cookie
      // and the server says there is none (the browser logs the answer).
      rec.allowed.push(/status of (401|422) .*\/api\/v1\/auth\/refresh$/);
      watchContext(context, rec);
      const guard = {
        requests: rec.requests,
        consoleErrors: rec.consoleErrors,
        /** Console errors matching `re` are expected in this test (e.g. a 412 answer). */
        allowConsole(re) {
          rec.allowed.push(re);
        },
        /** Watch another context (a second "tab") the same way. */
        watch(ctx) {
          ctx.addInitScript(initScript);
          watchContext(ctx, rec);
        },
        /** CSP violations recorded by the current document of `page`. */
        async cspViolations(page) {
          return page.evaluate(() => window.__cspViolations || []);
        },
      };
      await use(guard);

      // After the test (also after a failure: these add to it).
      const pages = [...rec.pages].filter((p) => !p.isClosed());
      const csp = [];
      for (const p of pages) csp.push(...(await p.evaluate(() => window.__cspViolations || []).catch(() => [])));
      const foreign = rec.requests.filter((u) => !isLoopback(u));
      const consoleErrors = rec.consoleErrors.filter((e) => !rec.allowed.some((re) => re.test(`${e.text} ${e.url}`)));
      testInfo.annotations.push({
        type: 'requests',
        description: `${rec.requests.length} requests, ${foreign.length} not to 127.0.0.1`,
      });
      expect.soft(foreign, 'requests that left 127.0.0.1').toEqual([]);
      expect.soft(rec.dialogs, 'JavaScript dialogs opened').toEqual([]);
      expect.soft(rec.pageErrors, 'uncaught errors in the page').toEqual([]);
      expect.soft(csp, 'Content-Security-Policy violations').toEqual([]);
      expect.soft(consoleErrors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

/** Signs in through the sign-in form (English labels). */
export async function signInWithForm(page, username, password = DEMO_PASSWORD, path = '/console/') {
  await page.goto(path);
  await page.getByLabel('Username or mobile number').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: /^Sign out/ })).toBeVisible();
}

/**
 * Signs in the way the console does, without the form: `POST /auth/login`
 * with `cookie: true` from the page's context, which keeps the HttpOnly
 * session cookie; the next page load restores the session from it.
 */
export async function signIn(page, username, path = '/console/', password = DEMO_PASSWORD) {
  const res = await page.context().request.post('/api/v1/auth/login', {
    data: { username, password, cookie: true },
  });
  expect(res.status(), await res.text()).toBe(200);
  await page.goto(path);
  await expect(page.getByRole('button', { name: /^Sign out/ })).toBeVisible();
}

/** The queue's URL with these filters (`{tab, q, category, …}`). */
export function queueUrl(params = {}, caseId) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const q = p.toString();
  return `${caseId ? `/console/cases/${encodeURIComponent(caseId)}` : '/console/queue'}${q ? `?${q}` : ''}`;
}

/** The row of incident `id` in the queue. */
export function row(page, id) {
  return page.locator(`tr[data-id="${id}"]`);
}

/** The open case (the `<article>` named by its reference). */
export function caseView(page, reference) {
  return page.getByRole('article', { name: reference });
}

/** The status badge in the case's header. */
export function caseStatus(page, reference) {
  return caseView(page, reference).locator('.case-head-top .badge[class*="status-"]');
}
