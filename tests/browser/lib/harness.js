// What every scenario starts with — sigil with a fresh database, the test relying party, and
// a page in headless Chromium, all stopped when the test ends — and the flows scenarios share.
//
// A scenario is one file in scenarios/ (NAME.test.js, run by `npm test`): it calls
// `harness(t, 'name')`, seeds what it needs through the CLI (`seedUser` with roles such as
// `admin`, `seedRp`), drives `page`, calls `assertStyled(page)` and `page.shoot('step')` on
// each sigil page, and checks what the relying party got (`rp.last.claims`, `rp.refresh()`).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { allow, assertStyled, launch, openPage, signIn } from './browser.js';
import { RelyingParty } from './rp.js';
import { Sigil } from './sigil.js';

/** Starts sigil, the relying party and a browser page for the test `t`, screenshots going
 *  under `scenario`; everything stops when `t` ends (sigil's log is shown if it failed). */
export async function harness(t, scenario) {
  const sigil = await Sigil.start();
  t.after(async () => {
    if (!t.passed) console.error(`sigil's log:\n${sigil.logTail()}`);
    await sigil.stop();
  });
  const rp = await RelyingParty.start(sigil);
  t.after(() => rp.stop());
  const browser = await launch();
  t.after(() => browser.close());
  const page = await openPage(browser, scenario);
  return { sigil, rp, browser, page };
}

/** A new user through the CLI, with a random password; returns the printed user and the
 *  password. */
export function seedUser(sigil, username, extra = {}) {
  const password = randomBytes(12).toString('base64url');
  const user = sigil.createUser({
    username,
    password,
    email: `${username}@example.com`,
    name: `${username[0].toUpperCase()}${username.slice(1)} Lovelace`,
    ...extra,
  });
  return { ...user, password };
}

/** Registers the relying party with sigil through the CLI, asking for `scope`. */
export function seedRp(sigil, rp, scope = 'openid profile email offline_access', extra = {}) {
  const client = sigil.createClient(rp.metadata(extra));
  assert.ok(client.client_id && client.client_secret, 'client create issued a secret');
  rp.use(client, scope);
  return client;
}

/** Opens the relying party, which sends the browser to sigil's sign-in page; signs `user` in
 *  there and allows the consent page; ends on the relying party's page. Each sigil page is
 *  checked to be styled and shot at both widths. */
export async function signInThroughRp(page, rp, user) {
  await page.goto(`${rp.origin}/start`);
  assert.equal(await page.locator('h1').innerText(), 'Sign in');
  await assertStyled(page);
  await page.shoot('sign-in');
  await signIn(page, user.username, user.password);
  assert.match(await page.locator('h1').innerText(), /wants to access your account/);
  await assertStyled(page);
  await page.shoot('consent');
  await allow(page);
  assert.ok(page.url().startsWith(rp.redirectUri), `back at the relying party: ${page.url()}`);
  assert.deepEqual(rp.errors, [], 'the relying party met no error');
  assert.ok(rp.last, 'the relying party finished the sign-in');
  await page.shoot('relying-party');
  return rp.last;
}
