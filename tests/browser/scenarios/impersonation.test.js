// An admin who is also an impersonator starts acting as a user from the user's admin page
// with a reason; the banner "You are acting as …" shows on sigil's pages, the relying party's
// ID token (verified with jose) names the user as sub and the admin as act.sub; the admin
// stops from the banner, and the next sign-in at the relying party is the admin's own. An
// impersonation also ends by itself after SIGIL_IMPERSONATION_MAX_LIFETIME seconds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  banner,
  consentThroughRp,
  harness,
  look,
  seedRp,
  seedUser,
  signInAt,
  startActing,
  stopActing,
} from '../lib/harness.js';

test('an admin acts as a user at a relying party and stops from the banner', async (t) => {
  const { sigil, rp, page } = await harness(t, 'impersonation');
  const ada = seedUser(sigil, 'ada');
  const grace = seedUser(sigil, 'grace', { roles: ['admin', 'impersonator'] });
  assert.notEqual(ada.id, grace.id);
  seedRp(sigil, rp);

  await signInAt(page, sigil, grace, `/admin/users/${encodeURIComponent(ada.id)}`);
  // A reason of blanks gets past the browser's `required` but not the server.
  await page.getByLabel('Reason').fill('   ');
  await Promise.all([
    page.waitForNavigation(),
    page.locator('button[name="impersonation"][value="start"]').click(),
  ]);
  assert.equal(await page.getByLabel('Reason').getAttribute('aria-invalid'), 'true');
  assert.ok(await page.locator('#reason-error').innerText(), 'the reason is asked for');
  assert.equal(await banner(page), null, 'not acting');
  await look(page, 'reason-missing');

  // Admins are never acted as: no start form on grace's own page, and a start forged from
  // ada's form against grace is refused by the server.
  await page.goto(`${sigil.issuer}/admin/users/${encodeURIComponent(grace.id)}`);
  assert.equal(await page.locator('button[name="impersonation"][value="start"]').count(), 0);
  await page.goto(`${sigil.issuer}/admin/users/${encodeURIComponent(ada.id)}`);
  await page.locator('form:has(#reason)').evaluate((form, id) => {
    form.action = `/admin/users/${encodeURIComponent(id)}/impersonation`;
  }, grace.id);
  await page.getByLabel('Reason').fill('forged');
  const [forged] = await Promise.all([
    page.waitForNavigation(),
    page.locator('button[name="impersonation"][value="start"]').click(),
  ]);
  assert.equal(forged.status(), 403, 'acting as an admin is refused');
  assert.equal(await banner(page), null);

  await startActing(page, sigil, ada, 'Ticket 4711: the report page is empty for her');
  assert.equal(new URL(page.url()).pathname, '/admin/impersonation');
  assert.equal(await page.locator('h1').innerText(), 'You are acting as ada');
  await look(page, 'acting');

  const acting = await consentThroughRp(page, rp, { acting: 'ada', shot: 'consent-acting' });
  assert.equal(acting.claims.sub, ada.id, 'the ID token is the user’s');
  assert.deepEqual(acting.claims.act, { sub: grace.id }, 'and names the admin as the actor');
  assert.equal(acting.claims.name, 'Ada Lovelace');
  const access = await rp.verifyAccessToken(acting.tokens.access_token);
  assert.equal(access.sub, ada.id, 'the access token is the user’s too');
  assert.deepEqual(access.act, { sub: grace.id }, 'with the admin as the actor');
  await page.shoot('relying-party-acting');
  const during = await rp.refresh();
  assert.equal(during.status, 200, 'the refresh token works while acting');
  const refreshed = await rp.verifyAccessToken(during.body.access_token);
  assert.deepEqual([refreshed.sub, refreshed.act], [ada.id, { sub: grace.id }], 'still acting');

  // The browser is the user now: the admin pages refuse it, and the refusal shows the banner.
  const refused = await page.goto(`${sigil.issuer}/admin`);
  assert.equal(refused.status(), 403);
  assert.equal(await banner(page), 'You are acting as ada', 'error pages show the banner');
  await look(page, 'admin-refused-acting');

  // The relying party asking for a fresh sign-in gets sigil's sign-in page, banner and all;
  // an unknown address gets the not-found page, with the banner too.
  await page.goto(`${rp.origin}/start?prompt=login`);
  assert.equal(await page.locator('h1').innerText(), 'Sign in');
  assert.equal(await banner(page), 'You are acting as ada');
  await look(page, 'sign-in-acting');
  const missing = await page.goto(`${sigil.issuer}/no-such-page`);
  assert.equal(missing.status(), 404);
  assert.equal(await banner(page), 'You are acting as ada');

  // Every sigil page shows the banner while acting: here the user's own account page.
  await page.goto(`${sigil.issuer}/account`);
  assert.equal(await page.locator('h1').innerText(), 'Your account');
  assert.equal(await banner(page), 'You are acting as ada');
  await look(page, 'account-acting');

  await stopActing(page);
  assert.equal(new URL(page.url()).pathname, `/admin/users/${encodeURIComponent(ada.id)}`);
  assert.equal(await page.locator('h1').innerText(), 'ada');
  await look(page, 'stopped');
  const afterStop = await rp.refresh();
  assert.equal(afterStop.status, 400, 'the refresh token of the acting sign-in ended with it');
  assert.equal(afterStop.body.error, 'invalid_grant');

  await page.goto(`${sigil.issuer}/admin/audit`);
  const started = page.locator('table.audit tbody tr', { hasText: 'impersonation.start' });
  assert.equal(await started.count(), 1, 'the start is in the audit log');
  const row = await started.innerText();
  assert.ok(row.includes(grace.id) && row.includes(ada.id), `actor and subject: ${row}`);
  assert.match(row, /Ticket 4711/, 'with the reason');
  const stopped = page.locator('table.audit tbody tr', { hasText: 'impersonation.stop' });
  assert.equal(await stopped.count(), 1, 'and the stop');
  await look(page, 'audit');

  const own = await consentThroughRp(page, rp, { acting: null, shot: 'consent-own' });
  assert.equal(own.claims.sub, grace.id, 'after stop the admin signs in as themself');
  assert.equal(own.claims.act, undefined, 'with no actor');
  assert.equal(own.claims.name, 'Grace Lovelace');
});

test('an impersonation ends by itself after its lifetime', async (t) => {
  const lifetime = 5;
  const { sigil, rp, page } = await harness(t, 'impersonation-expiry', {
    env: { SIGIL_IMPERSONATION_MAX_LIFETIME: String(lifetime) },
  });
  const ada = seedUser(sigil, 'ada');
  const grace = seedUser(sigil, 'grace', { roles: ['admin', 'impersonator'] });
  seedRp(sigil, rp);

  await signInAt(page, sigil, grace, `/admin/users/${encodeURIComponent(ada.id)}`);
  const started = Date.now();
  await startActing(page, sigil, ada, 'Ticket 4712: a short look');
  const acting = await consentThroughRp(page, rp, { acting: 'ada', shot: 'consent-acting' });
  assert.deepEqual(acting.claims.act, { sub: grace.id });

  await sleep(Math.max(0, started + lifetime * 1000 + 500 - Date.now()));
  await page.goto(`${sigil.issuer}/account`);
  assert.equal(await banner(page), null, 'the banner is gone once the lifetime is over');
  const account = await page.locator('main').innerText();
  assert.ok(account.includes(grace.email) && !account.includes(ada.email), 'grace’s own account');
  await look(page, 'expired');
  const refreshed = await rp.refresh();
  assert.equal(refreshed.status, 400, 'the acting refresh token ended with it');

  await page.goto(`${sigil.issuer}/admin/audit`);
  const expired = page.locator('table.audit tbody tr', { hasText: 'impersonation.expire' });
  assert.equal(await expired.count(), 1, 'the expiry is in the audit log');
  assert.match(await expired.innerText(), new RegExp(ada.id));

  const own = await consentThroughRp(page, rp, { acting: null, shot: 'consent-own' });
  assert.equal(own.claims.sub, grace.id, 'after the time limit /authorize is the admin’s own');
  assert.equal(own.claims.act, undefined);
});
