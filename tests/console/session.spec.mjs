// The console's session: the access token lives in the page's memory only,
// the session itself in an HttpOnly cookie that survives a reload.

import { test, expect, signInWithForm } from './lib/fixtures.mjs';

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/** Everything a script of the page can read back. */
async function readableState(page) {
  return page.evaluate(() => {
    const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)).map((k) => [k, s.getItem(k)]));
    return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie };
  });
}

function expectNoToken(state, tokens) {
  const text = JSON.stringify(state);
  for (const token of tokens) expect(text.includes(token), 'the access token is readable by scripts').toBe(false);
  expect(text, 'something like a JWT is readable by scripts').not.toMatch(JWT);
  expect(state.cookie, 'document.cookie').not.toContain('gridops_refresh');
  for (const key of [...Object.keys(state.local), ...Object.keys(state.session)]) {
    expect(key, 'a storage key that looks like a credential').not.toMatch(/token|refresh|auth|session|jwt/i);
  }
}

test('i. a session survives a reload through the HttpOnly cookie, and no token is readable by scripts', async ({ page, context, baseURL, guard }) => {
  const tokens = [];
  page.on('response', async (r) => {
    if (/\/api\/v1\/auth\/(login|refresh)$/.test(r.url()) && r.status() === 200) {
      const body = await r.json().catch(() => null);
      if (body && body.access_token) tokens.push(body.access_token);
    }
  });

  await signInWithForm(page, 'dispatcher.hanghaixilu');
  await expect(page.getByRole('tablist', { name: 'Queue' })).toBeVisible();
  await expect.poll(() => tokens.length, { message: 'the sign-in answer was seen' }).toBeGreaterThan(0);
  expectNoToken(await readableState(page), tokens);

  const cookies = await context.cookies(`${baseURL}/api/v1/auth/refresh`);
  const session = cookies.find((c) => c.name === 'gridops_refresh');
  expect(session, 'the session cookie').toBeTruthy();
  expect(session.httpOnly).toBe(true);
  expect(session.sameSite).toBe('Strict');
  expect(session.path).toBe('/api/v1/auth');

  // A reload: the console restores the session from the cookie (a rotated one).
  const before = tokens.length;
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'));
  await page.reload();
  expect((await refreshed).status()).toBe(200);
  await expect(page.getByRole('button', { name: /^Sign out/ })).toBeVisible();
  await expect(page.getByRole('tablist', { name: 'Queue' })).toBeVisible();
  await expect(page.getByLabel('Username or mobile number')).toHaveCount(0);
  await expect.poll(() => tokens.length).toBeGreaterThan(before);
  expectNoToken(await readableState(page), tokens);
  const rotated = (await context.cookies(`${baseURL}/api/v1/auth/refresh`)).find((c) => c.name === 'gridops_refresh');
  expect(rotated && rotated.value).toBeTruthy();
  expect(rotated.value, 'the refresh cookie rotates').not.toBe(session.value);

  // Signing out ends it: a reload shows the sign-in form. (A queue read under
  // way while the session is revoked may hear 401: other tests' cases keep
  // the queue's live updates busy.)
  guard.allowConsole(/status of 401 .*\/api\/v1\/incidents/);
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await expect(page.getByLabel('Username or mobile number')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Username or mobile number')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Sign out/ })).toHaveCount(0);
});
