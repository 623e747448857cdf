// A resident's report from the queue to closed, as the dispatcher sees it:
// it appears live, is dispatched to the routing suggestion, the handler's
// steps show live in the open case, and verification takes it off the queue.

import { test, expect, signInWithForm, queueUrl, row, caseView, caseStatus } from './lib/fixtures.mjs';
import { uniqueWord, HEATING_PARTY } from './lib/api.mjs';

const HEATING_NAME = 'Zhengzhou Heating Company (Zhongyuan)';

/** Marks the document; `stillSameDocument` is false after any reload. */
async function markDocument(page) {
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
}
async function expectSameDocument(page) {
  expect(await page.evaluate(() => window.__sameDocument === true), 'the page was not reloaded').toBe(true);
}

test('a report appears live, is dispatched to the suggestion, followed live and verified off the queue', async ({ page, api }) => {
  const word = uniqueWord('life');
  const resident = await api.resident();
  const handler = await api.login('handler.heating');
  let inc;

  await test.step('a. the dispatcher signs in; a resident’s report appears in the queue without a reload', async () => {
    await signInWithForm(page, 'dispatcher.hanghaixilu', undefined, queueUrl({ q: word }));
    await expect(page.getByRole('tab', { name: /^New/ })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByText('No cases match.')).toBeVisible();
    await expect(page.locator('.live.open')).toBeVisible(); // the event stream is connected
    await markDocument(page);

    inc = await api.report(resident.token, { description: `Radiators cold in building 3 since Monday ${word}` });
    expect(inc.status, 'the triage rule keeps it for a dispatcher').toBe('reported');
    await expect(row(page, inc.id)).toBeVisible();
    await expect(row(page, inc.id)).toContainText('Radiators cold in building 3');
    await expectSameDocument(page);
  });

  await test.step('a. the dispatcher opens it, accepts it and dispatches it to the suggested party', async () => {
    await page.getByRole('link', { name: `Open case ${inc.reference}` }).click();
    await expect(page).toHaveURL(new RegExp(`/console/cases/${inc.id}\\?q=${word}$`));
    const view = caseView(page, inc.reference);
    await expect(view).toBeVisible();
    await expect(caseStatus(page, inc.reference)).toHaveText('Reported');

    await view.getByRole('button', { name: 'Accept', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'Accept' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(caseStatus(page, inc.reference)).toHaveText('Registered');
    // Registered: it left the "New" tab (live), the case stays open beside it.
    await expect(row(page, inc.id)).toHaveCount(0);

    await view.getByRole('button', { name: 'Dispatch', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Dispatch' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('status')).toContainText(`Suggested: ${HEATING_NAME}`);
    const party = dialog.getByLabel(/^Dispatch to/);
    await expect(party, 'the suggestion is pre-filled').toHaveValue(HEATING_PARTY);
    await dialog.getByRole('button', { name: 'Dispatch', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(caseStatus(page, inc.reference)).toHaveText('Dispatched');
    await expect(view.locator('.case-title')).toContainText(HEATING_NAME);

    const now = await api.incident(handler, inc.id);
    expect(now.status).toBe('dispatched');
    expect(now.party).toBe(HEATING_PARTY);
  });

  await test.step('b. the handler acknowledges and resolves it through the API; the open case follows live', async () => {
    await markDocument(page);
    await api.step(handler, inc.id, 'acknowledge', { note: null });
    await expect(caseStatus(page, inc.reference)).toHaveText('In progress');
    await api.step(handler, inc.id, 'resolve', { result: 'Replaced the valve of building 3; radiators warm again.', photos: [] });
    await expect(caseStatus(page, inc.reference)).toHaveText('Resolved');
    await expect(caseView(page, inc.reference)).toContainText('Replaced the valve of building 3');
    await expectSameDocument(page);
  });

  await test.step('c. the dispatcher verifies it; it leaves the verify tab', async () => {
    await page.getByRole('tab', { name: /^To verify/ }).click();
    await expect(page.getByRole('tab', { name: /^To verify/ })).toHaveAttribute('aria-selected', 'true');
    await expect(row(page, inc.id)).toBeVisible();

    const view = caseView(page, inc.reference);
    await view.getByRole('button', { name: 'Verify & close', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Verify & close' });
    await dialog.getByRole('button', { name: 'Verify & close', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(caseStatus(page, inc.reference)).toHaveText('Closed');
    await expect(row(page, inc.id), 'closed: no longer in the queue').toHaveCount(0);
    await expect(page.getByText('No cases match.')).toBeVisible();
    expect((await api.incident(handler, inc.id)).status).toBe('closed');
  });
});
