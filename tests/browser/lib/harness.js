// What every scenario starts with — sigil with a fresh database, the test relying party, and
// a page in headless Chromium, all stopped when the test ends — and the flows scenarios share.
//
// A scenario is one file in scenarios/ (NAME.test.js, run by `npm test`): it calls
// `harness(t, 'name')`, seeds what it needs through the CLI (`seedUser` with roles such as
// `admin`, `seedRp`), drives `page`, calls `assertStyled(page)` and `page.shoot('step')` on
// each sigil page (or `look(page, 'step')`, both at once), and checks what the relying party
// got (`rp.last.claims`, `rp.refresh()`). Admin scenarios sign in with `signInAt` and act as a
// user with `startActing` / `stopActing`; `banner(page)` reads the impersonation banner.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { allow, assertStyled, launch, openPage, signIn } from './browser.js';
import { RelyingParty } from './rp.js';
import { Sigil } from './sigil.js';

/** Starts sigil (with the settings `env`), the relying party and a browser page for the test
 *  `t`, screenshots going under `scenario`; everything stops when `t` ends (sigil's log is
 *  shown if it failed). */
export async function harness(t, scenario, { env = {} } = {}) {
  const sigil = await Sigil.start(env);
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

/** Checks the page is drawn with sigil.css and shoots it at both widths as `name`. */
export async function look(page, name) {
  await assertStyled(page);
  await page.shoot(name);
}

/** Opens sigil's `path` (such as `/admin`) without a session: the browser is sent to the
 *  sign-in page, which carries `path` as `next`; signs `user` in there and asserts the browser
 *  lands back on `path`. The sign-in page is shot as `sign-in`. */
export async function signInAt(page, sigil, user, path) {
  await page.goto(`${sigil.issuer}${path}`);
  assert.equal(new URL(page.url()).pathname, '/login', `no session: ${path} leads to sign-in`);
  assert.equal(await page.locator('input[name="next"]').inputValue(), path);
  await look(page, 'sign-in');
  await signIn(page, user.username, user.password);
  const landed = new URL(page.url());
  assert.equal(`${landed.pathname}${landed.search}`, path, 'back on the page asked for');
}

/** The impersonation banner's text, or null when the page has none. */
export async function banner(page) {
  const form = page.locator('form.acting');
  if ((await form.count()) === 0) return null;
  return (await form.locator('p').innerText()).trim();
}

/** On `user`'s admin page (opened here), starts acting as them with `reason`; ends on the
 *  page saying whom the browser acts as, with the banner. Shoots the user's page. */
export async function startActing(page, sigil, user, reason) {
  await page.goto(`${sigil.issuer}/admin/users/${encodeURIComponent(user.id)}`);
  assert.equal(await page.locator('h1').innerText(), user.username);
  assert.equal(await banner(page), null, 'no banner before acting');
  await page.getByLabel('Reason').fill(reason);
  await look(page, 'user-page');
  await Promise.all([
    page.waitForNavigation(),
    page.locator('button[name="impersonation"][value="start"]').click(),
  ]);
  assert.equal(await banner(page), `You are acting as ${user.username}`);
}

/** Presses the banner's stop button; ends on the page it leads to (the user's admin page). */
export async function stopActing(page) {
  await Promise.all([
    page.waitForNavigation(),
    page.locator('form.acting button[name="impersonation"][value="stop"]').click(),
  ]);
  assert.equal(await banner(page), null, 'the banner is gone once stopped');
}

/** Opens the relying party in a browser already signed in at sigil: sigil's consent page
 *  shows (checked for the banner `acting` expects — a username, or null for none — styled
 *  and shot as `shot`); allows it and returns what the relying party got. */
export async function consentThroughRp(page, rp, { acting = null, shot = 'consent' } = {}) {
  rp.last = null;
  await page.goto(`${rp.origin}/start`);
  assert.match(await page.locator('h1').innerText(), /wants to access your account/);
  assert.equal(await banner(page), acting && `You are acting as ${acting}`);
  await look(page, shot);
  await allow(page);
  assert.ok(page.url().startsWith(rp.redirectUri), `back at the relying party: ${page.url()}`);
  assert.deepEqual(rp.errors, [], 'the relying party met no error');
  assert.ok(rp.last, 'the relying party finished the sign-in');
  return rp.last;
}
