// Keyboard alone from the queue to a dispatched case, and an accessible name
// on every form control of the queue, the case and its step dialogs.

import { test, expect, signIn, queueUrl, row, caseView, caseStatus } from './lib/fixtures.mjs';
import { uniqueWord, HEATING_PARTY } from './lib/api.mjs';

/** Presses Tab until `target` has the focus (at most `max` times); the number of presses. */
async function tabTo(page, target, max = 40) {
  for (let i = 0; i <= max; i++) {
    if ((await target.count()) === 1 && (await target.evaluate((el) => el === document.activeElement))) return i;
    if (i < max) await page.keyboard.press('Tab');
  }
  const now = await page.evaluate(() => {
    const el = document.activeElement;
    return el ? el.outerHTML.slice(0, 160) : 'nothing';
  });
  throw new Error(`Tab did not reach ${target} within ${max} presses; the focus is on ${now}`);
}

/** The focused element shows where it is (a focus ring: outline or box-shadow). */
async function expectVisibleFocus(locator) {
  const ring = await locator.evaluate((el) => {
    const s = getComputedStyle(el);
    return {
      focusVisible: el.matches(':focus-visible'),
      outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
      shadow: s.boxShadow && s.boxShadow !== 'none',
    };
  });
  expect(ring.focusVisible, 'focused from the keyboard').toBe(true);
  expect(ring.outline || ring.shadow, `a visible focus ring: ${JSON.stringify(ring)}`).toBeTruthy();
}

const CONTROLS = 'input:not([type="hidden"]), select, textarea, button, [role="button"], [role="tab"], [role="checkbox"], [role="radio"], [role="combobox"], [role="textbox"], [role="searchbox"]';

/** Every visible form control inside `scope` has a non-empty accessible name. */
async function expectNamedControls(scope, where) {
  const controls = scope.locator(CONTROLS);
  const n = await controls.count();
  let checked = 0;
  for (let i = 0; i < n; i++) {
    const c = controls.nth(i);
    if (!(await c.isVisible())) continue;
    checked++;
    const html = await c.evaluate((el) => el.outerHTML.replace(/\s+/g, ' ').slice(0, 200));
    await expect.soft(c, `${where}: ${html} has a name`).toHaveAccessibleName(/\S/, { timeout: 1000 });
  }
  expect(checked, `${where}: controls found`).toBeGreaterThan(0);
  return checked;
}

test('h. keyboard alone: queue → case → accept → dispatch, then back to the queue', async ({ page, api }) => {
  const word = uniqueWord('keys');
  const resident = await api.resident();
  const older = await api.report(resident.token, { description: `Older: cold radiators in the hall ${word}` });
  const newer = await api.report(resident.token, { description: `Newer: warm water off ${word}` });

  await signIn(page, 'dispatcher.hanghaixilu', queueUrl({ q: word }));
  await expect(row(page, older.id)).toBeVisible();
  await expect(row(page, newer.id)).toBeVisible();

  // From the top of the page, Tab into the list: it lands on the first row (the newest report).
  await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());
  const newerLink = page.getByRole('link', { name: `Open case ${newer.reference}` });
  const olderLink = page.getByRole('link', { name: `Open case ${older.reference}` });
  await tabTo(page, newerLink);
  await expectVisibleFocus(newerLink);
  // ↓ moves the selection (and the focus) to the next row; Enter opens it.
  await page.keyboard.press('ArrowDown');
  await expect(olderLink).toBeFocused();
  await expect(row(page, older.id)).toHaveClass(/is-selected/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/console/cases/${older.id}\\?q=${word}$`));
  const view = caseView(page, older.reference);
  await expect(view.getByRole('heading', { name: older.reference })).toBeFocused();
  await expect(caseStatus(page, older.reference)).toHaveText('Reported');

  // Accept: Tab to the button, Enter opens its dialog (focus in the note), Tab to submit.
  const acceptButton = view.getByRole('button', { name: 'Accept', exact: true });
  await tabTo(page, acceptButton);
  await expectVisibleFocus(acceptButton);
  await page.keyboard.press('Enter');
  let dialog = page.getByRole('dialog', { name: 'Accept' });
  await expect(dialog.getByLabel('Note (optional)')).toBeFocused();
  await page.keyboard.type('Confirmed by phone');
  await tabTo(page, dialog.getByRole('button', { name: 'Accept', exact: true }), 5);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(caseStatus(page, older.reference)).toHaveText('Registered');

  // Dispatch: the suggestion is pre-filled; Tab to submit, Enter.
  const dispatchButton = view.getByRole('button', { name: 'Dispatch', exact: true });
  await tabTo(page, dispatchButton);
  await page.keyboard.press('Enter');
  dialog = page.getByRole('dialog', { name: 'Dispatch' });
  const party = dialog.getByLabel(/^Dispatch to/);
  await expect(party).toBeFocused();
  await expect(party).toHaveValue(HEATING_PARTY);
  await tabTo(page, dialog.getByRole('button', { name: 'Dispatch', exact: true }), 8);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(caseStatus(page, older.reference)).toHaveText('Dispatched');
  const dispatched = await api.incident(resident.token, older.id);
  expect(dispatched.status).toBe('dispatched');
  expect(dispatched.party).toBe(HEATING_PARTY);

  // Escape closes the case.
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(new RegExp(`/console/queue\\?q=${word}$`));
  await expect(view).toHaveCount(0);
  // It was dispatched: no longer in the "New" tab; the newer one still is.
  await expect(row(page, older.id)).toHaveCount(0);
  await expect(row(page, newer.id)).toBeVisible();
});

test('h. every form control of the queue, the case and its step dialogs has an accessible name', async ({ page, api }) => {
  const word = uniqueWord('names');
  const resident = await api.resident();
  const dispatcher = await api.login('dispatcher.hanghaixilu');
  const inc = await api.report(resident.token, { description: `Radiator valve broken ${word}` });

  await signIn(page, 'dispatcher.hanghaixilu', queueUrl({ q: word }));
  await expect(row(page, inc.id)).toBeVisible();
  const inQueue = await expectNamedControls(page.locator('body'), 'queue');

  await page.getByRole('link', { name: `Open case ${inc.reference}` }).click();
  const view = caseView(page, inc.reference);
  await expect(caseStatus(page, inc.reference)).toHaveText('Reported');
  await expect(view.locator('.case-suggestion, .case-section').first()).toBeVisible();
  const inCase = await expectNamedControls(view, 'case');
  await expectNamedControls(page.locator('body'), 'queue and case');

  // The dialogs of the steps a dispatcher has on a new report, and on a registered one.
  for (const action of ['Accept', 'Reject']) {
    await view.getByRole('button', { name: action, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: action });
    await expect(dialog).toBeVisible();
    if (action === 'Reject') await dialog.getByLabel('Duplicate', { exact: true }).check();
    await expectNamedControls(dialog, `${action} dialog`);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  }
  await api.step(dispatcher, inc.id, 'accept', { note: null });
  await expect(caseStatus(page, inc.reference)).toHaveText('Registered');
  await view.getByRole('button', { name: 'Dispatch', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Dispatch' });
  await expect(dialog.getByLabel(/^Dispatch to/)).toHaveValue(HEATING_PARTY);
  await expectNamedControls(dialog, 'Dispatch dialog');
  test.info().annotations.push({ type: 'controls', description: `${inQueue} on the queue, ${inCase} in the case` });
});
