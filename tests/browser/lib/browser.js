// Headless Chromium from Debian's `chromium` package (never a downloaded browser), driven by
// playwright-core; screenshots of each page at 360 px and 1280 px wide, and the check that
// sigil's stylesheet is applied.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { ROOT } from './sigil.js';

/** The browser binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go: target/browser-screenshots/SCENARIO/. */
export const SHOTS = join(ROOT, 'target', 'browser-screenshots');

/** The two widths every page is looked at. */
export const WIDTHS = [360, 1280];

/** Launches headless Chromium. */
export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** A page in a fresh browser context (its own cookies), 1280 px wide, recording screenshots
 *  under `scenario`. */
export async function openPage(browser, scenario) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const dir = join(SHOTS, scenario);
  mkdirSync(dir, { recursive: true });
  let taken = 0;
  /** Saves the page as NN-NAME-360.png and NN-NAME-1280.png (full page), then goes back to
   *  1280 px. At 360 px nothing may be wider than the screen. */
  page.shoot = async (name) => {
    taken += 1;
    const prefix = `${String(taken).padStart(2, '0')}-${name}`;
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= width, `${name} at ${width} px is ${overflow} px wide`);
      await page.screenshot({ path: join(dir, `${prefix}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };
  return page;
}

/** Asserts the page is drawn with sigil.css, not the browser's defaults: the page colour,
 *  the system font stack, the card's border and radius. */
export async function assertStyled(page) {
  const style = await page.evaluate(() => {
    const body = getComputedStyle(document.body);
    const card = document.querySelector('main.card');
    const cardStyle = card ? getComputedStyle(card) : null;
    return {
      sheet: [...document.styleSheets].some((s) => (s.href ?? '').includes('/static/sigil.css')),
      background: body.backgroundColor,
      margin: body.margin,
      font: body.fontFamily,
      cardRadius: cardStyle?.borderTopLeftRadius,
      cardBorder: cardStyle?.borderTopStyle,
    };
  });
  assert.ok(style.sheet, 'sigil.css is linked and loaded');
  assert.equal(style.background, 'rgb(243, 244, 246)', 'the page colour comes from sigil.css');
  assert.equal(style.margin, '0px', 'sigil.css resets the body margin');
  assert.match(style.font, /system-ui/, 'the font stack comes from sigil.css');
  assert.equal(style.cardRadius, '8px', 'the card is sigil.css’s');
  assert.equal(style.cardBorder, 'solid');
}

/** Fills sigil's sign-in form and submits it (the page must be showing it). */
export async function signIn(page, username, password) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Answers sigil's consent page with Allow. */
export async function allow(page) {
  await Promise.all([page.waitForNavigation(), page.locator('button[name="decision"][value="allow"]').click()]);
}
