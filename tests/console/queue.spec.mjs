// The queue's filters live in the URL (and survive a reload), and what
// residents write is shown as text, never as markup.

import { test, expect, signIn, queueUrl, row, caseView } from './lib/fixtures.mjs';
import { uniqueWord } from './lib/api.mjs';

test('d. filters survive a reload: tab, category and text are in the URL and applied again', async ({ page, api }) => {
  const word = uniqueWord('filt');
  const resident = await api.resident();
  const dispatcher = await api.login('dispatcher.hanghaixilu');
  // Registered heating and sewer cases (the "To dispatch" tab), and a heating
  // report still waiting for triage (the "New" tab); all carry the word.
  const heating = await api.report(resident.token, { description: `No heating on the 5th floor ${word}` });
  await api.step(dispatcher, heating.id, 'accept', { note: null });
  const sewer = await api.report(resident.token, { category: 'utilities.sewer_blockage', description: `Drain blocked by the gate ${word}` });
  await api.step(dispatcher, sewer.id, 'accept', { note: null });
  const waiting = await api.report(resident.token, { description: `Radiator leaking ${word}` });

  await signIn(page, 'dispatcher.hanghaixilu', '/console/queue');
  await page.getByRole('tab', { name: /^To dispatch/ }).click();
  await page.getByLabel('Category', { exact: true }).selectOption('utilities.heating');
  const search = page.getByRole('searchbox', { name: 'Search descriptions' });
  await search.fill(word);
  await search.press('Enter');

  const check = async () => {
    await expect(page.getByRole('tab', { name: /^To dispatch/ })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByLabel('Category', { exact: true })).toHaveValue('utilities.heating');
    await expect(page.getByRole('searchbox', { name: 'Search descriptions' })).toHaveValue(word);
    await expect(row(page, heating.id)).toBeVisible();
    await expect(page.locator('tbody tr[data-id]')).toHaveCount(1);
    await expect(row(page, sewer.id)).toHaveCount(0);
    await expect(row(page, waiting.id)).toHaveCount(0);
  };
  await check();
  const url = new URL(page.url());
  expect(url.pathname).toBe('/console/queue');
  expect(Object.fromEntries(url.searchParams)).toEqual({ tab: 'triage', category: 'utilities.heating', q: word });

  await page.reload();
  await check();
  expect(page.url()).toBe(url.href);

  // The same address in a new tab (a shared link) shows the same view.
  const other = await page.context().newPage();
  await other.goto(url.href);
  await expect(other.getByRole('tab', { name: /^To dispatch/ })).toHaveAttribute('aria-selected', 'true');
  await expect(row(other, heating.id)).toBeVisible();
  await expect(other.locator('tbody tr[data-id]')).toHaveCount(1);
  await other.close();
});

test('e. a description with markup is shown as text and runs nothing', async ({ page, api }) => {
  const word = uniqueWord('xss');
  const payload = '<img src=x onerror=alert(1)>';
  const resident = await api.resident();
  const inc = await api.report(resident.token, {
    description: `${payload} ${word}`,
    address: '<script>alert(2)</script> Building 3',
  });
  const dialogs = [];
  page.on('dialog', (d) => dialogs.push(d.message()));

  await signIn(page, 'dispatcher.hanghaixilu', queueUrl({ q: word }));
  const r = row(page, inc.id);
  await expect(r).toBeVisible();
  await expect(r.locator('.c-desc')).toContainText(`${payload} ${word}`);
  await expect(r.locator('.c-desc')).toContainText('<script>alert(2)</script> Building 3');

  await r.getByRole('link').click();
  const view = caseView(page, inc.reference);
  await expect(view.locator('.case-desc')).toHaveText(`${payload} ${word}`);
  await expect(view).toContainText('<script>alert(2)</script> Building 3');

  // Nothing of it became an element, nothing loaded `x`, nothing ran.
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(await page.locator('script').evaluateAll((els) => els.filter((s) => s.textContent.includes('alert(')).length)).toBe(0);
  await page.waitForTimeout(500); // an onerror would have fired by now
  expect(dialogs, 'no dialog may open').toEqual([]);
});
