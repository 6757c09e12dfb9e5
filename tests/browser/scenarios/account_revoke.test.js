// A user revokes an application on /account: its refresh token stops working, and the next
// sign-in to it asks for consent again.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertStyled } from '../lib/browser.js';
import { harness, seedRp, seedUser, signInThroughRp } from '../lib/harness.js';

test('a user revokes an application on the account page', async (t) => {
  const { sigil, rp, page } = await harness(t, 'account-revoke');
  const ada = seedUser(sigil, 'ada');
  seedRp(sigil, rp);
  await signInThroughRp(page, rp, ada);
  const refreshed = await rp.refresh();
  assert.equal(refreshed.status, 200, 'the refresh token works before');

  await page.goto(`${sigil.issuer}/account`);
  assert.equal(await page.locator('h1').innerText(), 'Your account');
  await assertStyled(page);
  const app = page.locator('#applications > li', { hasText: 'Browser Test App' });
  await assert.doesNotReject(app.waitFor(), 'the application is listed');
  assert.match(await app.innerText(), /Stay signed in when you are away/);
  assert.equal(await page.locator('#sessions .badge').innerText(), 'This browser');
  await page.shoot('account');

  await Promise.all([
    page.waitForNavigation(),
    app.getByRole('button', { name: 'Revoke access' }).click(),
  ]);
  assert.match(await page.locator('#account-notice').innerText(), /access was revoked/);
  assert.equal(await page.locator('#applications').count(), 0);
  await assertStyled(page);
  await page.shoot('account-revoked');

  const after = await rp.refresh();
  assert.equal(after.status, 400);
  assert.equal(after.body.error, 'invalid_grant', 'the refresh token died with the consent');

  // Still signed in at sigil, but the application must ask again.
  await page.goto(`${rp.origin}/start`);
  assert.match(await page.locator('h1').innerText(), /wants to access your account/);
  await page.shoot('consent-again');
});
