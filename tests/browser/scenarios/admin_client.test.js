// An admin signs in at /admin through the real sign-in page, registers a client on the admin
// clients page, sees its secret once, and never again on the client's page or the list; the
// client then gets a token with that secret (client credentials at the token endpoint), and
// a rotation shows the next secret once and retires the first.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { harness, look, seedUser, signInAt } from '../lib/harness.js';
import { tokenRequest } from '../lib/rp.js';

test('an admin registers a client on the admin pages and sees its secret once', async (t) => {
  const { sigil, page } = await harness(t, 'admin-client');
  const root = seedUser(sigil, 'grace', { roles: ['admin'] });
  assert.deepEqual(root.roles, ['admin'], 'user create printed the role');
  const ada = seedUser(sigil, 'ada');

  await signInAt(page, sigil, root, '/admin');
  assert.equal(await page.locator('h1').innerText(), 'Dashboard');
  const signins = await page.locator('#total-signins').innerText();
  assert.match(signins, /^[1-9]\d*$/, 'this sign-in is counted');
  await look(page, 'dashboard');

  const nav = page.getByRole('navigation', { name: 'Administration' });
  await nav.getByRole('link', { name: 'Clients' }).click();
  await page.waitForURL(`${sigil.issuer}/admin/clients`);
  assert.equal(await page.locator('h1').innerText(), 'Clients');
  assert.match(await page.locator('table tbody').innerText(), /No clients/);
  await look(page, 'clients');

  await page.getByLabel('Name', { exact: true }).fill('Nightly Report Job');
  await page.getByLabel('Authentication at the token endpoint').selectOption('client_secret_basic');
  await page.getByLabel('authorization_code').uncheck();
  await page.getByLabel('refresh_token').uncheck();
  await page.getByLabel('client_credentials').check();
  await page.locator('#new').scrollIntoViewIfNeeded();
  await look(page, 'new-client-form');
  const [answer] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Register client' }).click(),
  ]);
  assert.equal(answer.status(), 201);
  assert.equal(answer.headers()['cache-control'], 'no-store', 'the secret is not cached');
  assert.equal(await page.locator('h1').innerText(), 'Client registered');
  const clientId = (await page.locator('#client-id').innerText()).trim();
  const secret = (await page.locator('#client-secret').innerText()).trim();
  assert.ok(clientId, 'the client id is shown');
  assert.ok(secret.length >= 20, `a secret is shown once: ${secret.length} characters`);
  assert.match(await page.locator('p.alert').innerText(), /shown only this once/);
  await look(page, 'secret');

  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('link', { name: 'Open the client' }).click(),
  ]);
  assert.equal(new URL(page.url()).pathname, `/admin/clients/${encodeURIComponent(clientId)}`);
  assert.equal(await page.locator('h1').innerText(), 'Nightly Report Job');
  assert.match(await page.locator('main').innerText(), new RegExp(`Client ID: ${clientId}`));
  assert.ok(!(await page.content()).includes(secret), 'the client page never shows the secret');
  assert.match(await page.locator('pre').innerText(), /"client_credentials"/, 'its metadata');
  await look(page, 'client');

  await page.goto(`${sigil.issuer}/admin/clients`);
  const row = page.locator('table tbody tr', { hasText: clientId });
  assert.match(await row.innerText(), /Nightly Report Job/);
  assert.ok(!(await page.content()).includes(secret), 'nor does the list');

  const { token_endpoint } = await sigil.discovery();
  const credentials = { grant_type: 'client_credentials' };
  const issued = await tokenRequest(
    token_endpoint,
    { client_id: clientId, client_secret: secret },
    credentials,
  );
  assert.equal(issued.status, 200, `client credentials: ${JSON.stringify(issued.body)}`);
  assert.ok(issued.body.access_token, 'the new client got an access token with its secret');
  assert.equal(issued.body.token_type, 'Bearer');
  const wrong = await tokenRequest(
    token_endpoint,
    { client_id: clientId, client_secret: `${secret}x` },
    credentials,
  );
  assert.equal(wrong.status, 401, 'a wrong secret is refused');
  assert.equal(wrong.body.error, 'invalid_client');

  // Rotating shows the new secret once; the old one stops working.
  await page.goto(`${sigil.issuer}/admin/clients/${encodeURIComponent(clientId)}`);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Rotate secret' }).click(),
  ]);
  assert.equal(await page.locator('h1').innerText(), 'Client rotated');
  const rotated = (await page.locator('#client-secret').innerText()).trim();
  assert.notEqual(rotated, secret);
  await look(page, 'rotated');
  const old = await tokenRequest(
    token_endpoint,
    { client_id: clientId, client_secret: secret },
    credentials,
  );
  assert.equal(old.status, 401, 'the old secret is refused after rotation');
  const fresh = await tokenRequest(
    token_endpoint,
    { client_id: clientId, client_secret: rotated },
    credentials,
  );
  assert.equal(fresh.status, 200, 'the rotated secret works');

  // An admin who is not an impersonator is not offered to act as a user.
  await page.goto(`${sigil.issuer}/admin/users/${encodeURIComponent(ada.id)}`);
  assert.equal(await page.locator('h1').innerText(), 'ada');
  assert.equal(await page.locator('button[name="impersonation"]').count(), 0);
});
