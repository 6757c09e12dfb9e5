// A visitor without a session opens /account, signs in on the page it leads to and lands back
// on /account; a wrong current password is refused next to its field, the right one changes
// the password and signs out the user's other browser.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertStyled, openPage, signIn } from '../lib/browser.js';
import { harness, seedUser } from '../lib/harness.js';

test('a user signs in to /account and changes their password', async (t) => {
  const { sigil, browser, page } = await harness(t, 'account-password');
  const ada = seedUser(sigil, 'ada');
  const other = await openPage(browser, 'account-password-other');

  for (const p of [other, page]) {
    await p.goto(`${sigil.issuer}/account`);
    assert.equal(new URL(p.url()).pathname, '/login', 'no session: the sign-in page');
    assert.equal(await p.locator('input[name="next"]').inputValue(), '/account');
    await assertStyled(p);
    await signIn(p, ada.username, ada.password);
    assert.equal(new URL(p.url()).pathname, '/account', 'back on the account page');
  }
  await page.shoot('account');
  assert.equal(await page.locator('#sessions > li').count(), 2);

  await page.getByLabel('Current password').fill('not the password');
  await page.getByLabel('New password').fill('a whole new secret');
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Change password' }).click(),
  ]);
  assert.equal(
    await page.locator('#current_password-error').innerText(),
    'The current password is not correct.',
  );
  assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
  await assertStyled(page);
  await page.shoot('wrong-current-password');

  await page.getByLabel('Current password').fill(ada.password);
  await page.getByLabel('New password').fill('a whole new secret');
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Change password' }).click(),
  ]);
  assert.match(await page.locator('#account-notice').innerText(), /password was changed/);
  assert.equal(await page.locator('#sessions > li').count(), 1, 'only this browser is left');
  await page.shoot('password-changed');

  await other.reload();
  assert.equal(new URL(other.url()).pathname, '/login', 'the other browser was signed out');
  await signIn(other, ada.username, 'a whole new secret');
  assert.equal(new URL(other.url()).pathname, '/account');
});
