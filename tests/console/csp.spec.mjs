// Every screen under the strict Content-Security-Policy: no violation, no
// console error, no request off the machine — loaded on its own (a full page
// load) and reached through the navigation (one document, screens imported
// on demand).

import { test, expect, signIn, queueUrl, row, caseStatus } from './lib/fixtures.mjs';
import { uniqueWord, TRIAGE_RULE_NAME } from './lib/api.mjs';

/** Requests of `page` still running, the event stream aside (it never ends). */
function trackInflight(page) {
  const inflight = new Set();
  page.on('request', (r) => {
    if (!r.url().includes('/api/v1/events')) inflight.add(r);
  });
  const done = (r) => inflight.delete(r);
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return inflight;
}

test('j. no CSP violation and no console error on the queue, case, map, report, notices and rules screens', async ({ page, api, guard }) => {
  const word = uniqueWord('csp');
  const resident = await api.resident();
  const inc = await api.report(resident.token, { description: `Heating off in the whole stairwell ${word}` });
  const inflight = trackInflight(page);

  const screens = [
    {
      name: 'queue',
      url: queueUrl({ q: word }),
      nav: 'Queue',
      ready: async () => {
        await expect(page.getByRole('tablist', { name: 'Queue' })).toBeVisible();
        await expect(row(page, inc.id)).toBeVisible();
      },
    },
    {
      name: 'case',
      url: queueUrl({ q: word }, inc.id),
      ready: async () => {
        await expect(caseStatus(page, inc.reference)).toHaveText('Reported');
        await expect(page.getByRole('heading', { name: 'Timeline', exact: true })).toBeVisible();
        await expect(page.locator('.case-view .leaflet-container, .case-view .case-map').first()).toBeVisible();
      },
    },
    {
      name: 'map',
      url: '/console/map',
      nav: 'Map',
      ready: async () => {
        await expect(page.getByRole('heading', { name: 'Map', level: 1 })).toBeAttached();
        await expect(page.locator('.leaflet-container').first()).toBeVisible();
        await expect(page.locator('.leaflet-overlay-pane path').first()).toBeAttached(); // the grids are drawn
      },
    },
    {
      name: 'report',
      url: '/console/report',
      nav: 'Hotline entry',
      ready: async () => {
        await expect(page.getByRole('heading', { name: 'Hotline entry', level: 1 })).toBeVisible();
        await expect(page.locator('main select, main input').first()).toBeVisible();
      },
    },
    {
      name: 'notices',
      url: '/console/notices',
      nav: 'Notices',
      ready: async () => {
        await expect(page.getByRole('heading', { name: 'Post a notice', level: 1 })).toBeVisible();
      },
    },
    {
      name: 'rules',
      url: '/console/rules',
      nav: 'Routing rules',
      ready: async () => {
        await expect(page.getByRole('heading', { name: 'Routing rules', level: 1 })).toBeVisible();
        await expect(page.getByText(TRIAGE_RULE_NAME).first()).toBeVisible();
      },
    },
  ];

  const settle = async (what) => {
    await expect.poll(() => inflight.size, { message: `${what}: requests finish` }).toBe(0);
    expect(await guard.cspViolations(page), `${what}: CSP violations`).toEqual([]);
    expect(guard.consoleErrors, `${what}: console errors`).toEqual([]);
  };

  const byName = Object.fromEntries(screens.map((s) => [s.name, s]));
  // The dispatcher has every screen but the rules; the administrator has the
  // rules (and no hotline entry).
  const plan = [
    { user: 'dispatcher.hanghaixilu', names: ['queue', 'case', 'map', 'report', 'notices'] },
    { user: 'admin', names: ['queue', 'case', 'map', 'notices', 'rules'] },
  ];
  for (const { user, names } of plan) {
    await signIn(page, user, queueUrl({ q: word }));
    for (const name of names) {
      const s = byName[name];
      await test.step(`${user}: ${name}, loaded on its own`, async () => {
        await page.goto(s.url);
        await s.ready();
        await settle(`${user}: ${name} (page load)`);
      });
    }

    // One document: through the top navigation, every screen's module imported on demand.
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    for (const name of names.filter((n) => byName[n].nav)) {
      const s = byName[name];
      await test.step(`${user}: ${name}, through the navigation`, async () => {
        await nav.getByRole('link', { name: s.nav, exact: true }).click();
        await s.ready();
        await settle(`${user}: ${name} (navigation)`);
      });
    }
    await nav.getByRole('link', { name: 'Queue', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Search descriptions' }).fill(word);
    await page.getByRole('searchbox', { name: 'Search descriptions' }).press('Enter');
    await page.getByRole('link', { name: `Open case ${inc.reference}` }).click();
    await byName.case.ready();
    await settle(`${user}: case (navigation)`);
  }

  expect(guard.requests.length, 'requests were recorded').toBeGreaterThan(20);
});
