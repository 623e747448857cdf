// g. No request leaves 127.0.0.1: every test's pages are watched by the guard
// in lib/fixtures.mjs (all requests of the context, checked after the test).
// Here: the guard itself tells loopback from elsewhere and does see a request
// to elsewhere, so that its silence in the other tests means something.

import { test, expect, isLoopback, watchContext } from './lib/fixtures.mjs';

test('g. the request guard tells loopback from elsewhere', () => {
  for (const url of [
    'http://127.0.0.1:8080/console/app.js',
    'http://127.0.0.1:8080/api/v1/events',
    'blob:http://127.0.0.1:8080/0b6f2a4e-8c1e-4a8e-9a36-7b0f0c3f8d11',
    'data:image/png;base64,iVBORw0KGgo=',
  ]) expect(isLoopback(url), url).toBe(true);
  for (const url of [
    'https://unpkg.com/leaflet@1.9.4/dist/leaflet.js',
    'http://localhost:8080/console/',
    'http://127.0.0.2/',
    'https://tile.openstreetmap.org/1/1/1.png',
    'blob:https://example.org/0b6f2a4e',
    'ws://127.0.0.1.example.org/',
  ]) expect(isLoopback(url), url).toBe(false);
});

test('g. a request to elsewhere is recorded (and goes nowhere)', async ({ browser }) => {
  // A context of its own, outside the test's guard.
  const context = await browser.newContext();
  const rec = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [], pages: new Set() };
  watchContext(context, rec);
  const page = await context.newPage();
  await page.setContent('<img alt="" src="https://tile.openstreetmap.org/1/1/1.png">');
  await expect.poll(() => rec.requests.filter((u) => !isLoopback(u))).toEqual(['https://tile.openstreetmap.org/1/1/1.png']);
  await context.close();
});
