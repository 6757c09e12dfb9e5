// A user signs in to the test relying party through sigil's real sign-in and consent pages;
// the relying party verifies the ID token (jose, against sigil's JWKS) and gets the claims of
// the scopes consented to.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { harness, seedRp, seedUser, signInThroughRp } from '../lib/harness.js';

test('a user signs in to a relying party through the login and consent pages', async (t) => {
  const { sigil, rp, page } = await harness(t, 'signin-consent');
  const ada = seedUser(sigil, 'ada');
  const client = seedRp(sigil, rp, 'openid profile email');

  const { claims, tokens } = await signInThroughRp(page, rp, ada);
  assert.equal(claims.sub, ada.id, 'sub is the id user create printed');
  assert.equal(claims.iss, sigil.issuer);
  assert.equal(claims.aud, client.client_id);
  assert.equal(claims.email, 'ada@example.com');
  assert.equal(claims.name, 'Ada Lovelace');
  assert.ok(claims.sid && claims.auth_time, 'a session id and auth time');
  assert.equal(tokens.token_type, 'Bearer');
  assert.match(await page.locator('h1').innerText(), new RegExp(`Signed in as ${ada.id}`));

  // Signed in and consented: the next sign-in skips both pages.
  rp.last = null;
  await page.goto(`${rp.origin}/start`);
  assert.ok(page.url().startsWith(rp.redirectUri), `straight back: ${page.url()}`);
  assert.equal(rp.last.claims.sub, ada.id);
});
