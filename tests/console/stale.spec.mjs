// Two tabs on one case: the other one acts first. The step taken in the
// stale tab is refused with 412 (If-Match), the page offers a reload, and the
// reload shows the case as it is now, keeping what the user typed.

import { test, expect, signIn, caseView, caseStatus, queueUrl } from './lib/fixtures.mjs';
import { uniqueWord } from './lib/api.mjs';

test('f. a step on a stale case gets 412, the page offers a reload, the reload shows the current state', async ({ page, browser, api, guard, baseURL }) => {
  guard.allowConsole(/status of 412 .*\/accept$/); // the browser logs the refused step
  const word = uniqueWord('stale');
  const resident = await api.resident();
  const inc = await api.report(resident.token, { description: `Heating pipe knocking at night ${word}` });
  const url = queueUrl({ q: word }, inc.id);

  // This tab: the case open, the accept form filled in.
  await signIn(page, 'dispatcher.hanghaixilu', url);
  const view = caseView(page, inc.reference);
  await expect(caseStatus(page, inc.reference)).toHaveText('Reported');
  await view.getByRole('button', { name: 'Accept', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Accept' });
  await dialog.getByLabel('Note (optional)').fill('Called the resident back');

  // Another tab (another session of the same dispatcher) accepts it first.
  const otherContext = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  guard.watch(otherContext);
  const other = await otherContext.newPage();
  await signIn(other, 'dispatcher.hanghaixilu', url);
  await caseView(other, inc.reference).getByRole('button', { name: 'Accept', exact: true }).click();
  const otherDialog = other.getByRole('dialog', { name: 'Accept' });
  await otherDialog.getByRole('button', { name: 'Accept', exact: true }).click();
  await expect(caseStatus(other, inc.reference)).toHaveText('Registered');
  await otherContext.close();

  // The live stream tells this tab; the open form is not reloaded under the user.
  await expect(view.getByRole('alert').filter({ hasText: 'Someone else changed this case.' })).toBeVisible();
  await expect(dialog.getByLabel('Note (optional)')).toHaveValue('Called the resident back');

  // Submitting anyway: 412, and the offer to reload.
  const answer = page.waitForResponse((r) => r.url().endsWith(`/incidents/${inc.id}/accept`) && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Accept', exact: true }).click();
  expect((await answer).status()).toBe(412);
  const conflict = dialog.getByRole('alert').filter({ hasText: 'Someone else acted on this case first' });
  await expect(conflict).toBeVisible();
  await expect(caseStatus(page, inc.reference), 'not changed before the reload').toHaveText('Reported');

  await conflict.getByRole('button', { name: 'Reload' }).click();
  await expect(caseStatus(page, inc.reference)).toHaveText('Registered');
  await expect(conflict).toBeHidden();
  // Accepting again is no longer possible; what was typed is still there.
  await expect(dialog.getByText('This step is no longer possible in the case’s current state.')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Accept', exact: true })).toBeDisabled();
  await expect(dialog.getByLabel('Note (optional)')).toHaveValue('Called the resident back');
  await dialog.getByRole('button', { name: 'Cancel' }).last().click();
  await expect(dialog).toBeHidden();
  await expect(view.getByRole('button', { name: 'Dispatch', exact: true })).toBeVisible();
  expect((await api.incident(resident.token, inc.id)).status).toBe('accepted');
});
