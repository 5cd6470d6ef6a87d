// Evidence uploaded the way a security manager does it: the evidence page's form with a file
// chosen in the browser (multipart/form-data, streamed into the encrypted store), then the
// evidence's own page showing the file's SHA-256 — the same hash the test computes itself.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  startTillit, launchBrowser, watchPage, assertPageBasics, assertFormsLabelled, screenshot, createAccount, signIn,
} from '../harness.js';

describe('evidence upload in the browser', { timeout: 180_000 }, () => {
  let tillit;
  let browser;
  let page;
  let watch;

  before(async () => {
    tillit = await startTillit();
    browser = await launchBrowser();
    page = browser.page;
    // The refused upload answers 400 on purpose (the form comes back with the message);
    // Chromium logs every 4xx document as a console error.
    watch = await watchPage(page, { ignore: [/status of 400 \(Bad Request\) \(https:\/\/[^/]+\/evidence\?/] });
    const manager = await createAccount(tillit, { username: 'sakchef', name: 'Saga Säkerhetschef', roles: ['security_manager'] });
    await signIn(page, tillit.baseUrl, manager);
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await tillit?.stop();
    }
  });

  afterEach(() => watch?.assertClean('after this test'));

  it('a file chosen in the form is stored with its SHA-256 and linked to its requirement', async () => {
    await page.goto(new URL('/evidence', tillit.baseUrl).href);
    await assertPageBasics(page, { lang: 'sv' });
    await assertFormsLabelled(page);
    const content = Buffer.concat([Buffer.from('Återläsningstest 2026-11-20: lyckades\r\n--inte en gräns\r\n'),
      Buffer.alloc(200_000, 'x')]);
    const sha256 = createHash('sha256').update(content).digest('hex');
    await page.getByLabel('Titel', { exact: true }).fill('Återläsningstest hösten 2026');
    await page.getByLabel('Giltig till och med (valfritt)').fill('2027-11-30');
    await page.getByLabel(/Krav som beviset styrker/).fill('K22');
    await page.getByLabel('Fil', { exact: true }).setInputFiles({
      name: 'återläsning.txt', mimeType: 'text/plain', buffer: content,
    });
    await page.getByRole('button', { name: 'Ladda upp' }).click();
    await page.waitForURL(/\/evidence\/[0-9]+/);
    await assertPageBasics(page, { lang: 'sv' });
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Återläsningstest hösten 2026');
    assert.ok((await page.content()).includes(sha256), 'the page shows the SHA-256 the browser sent');
    await screenshot(page, 'evidence-uploaded');
  });

  it('a form with an impossible date stores nothing and says which field is wrong', async () => {
    await page.goto(new URL('/evidence', tillit.baseUrl).href);
    const before = await page.locator('tbody tr').count();
    await page.getByLabel('Titel', { exact: true }).fill('Fel datum');
    // The date input only takes real dates; an impossible one can only come from a crafted form.
    await page.getByLabel('Giltig till och med (valfritt)').evaluate((input) => { input.type = 'text'; });
    await page.getByLabel('Giltig till och med (valfritt)').fill('2027-02-30');
    await page.getByLabel('Fil', { exact: true }).setInputFiles({ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a') });
    await page.getByRole('button', { name: 'Ladda upp' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /valid_until/);
    assert.equal(await page.locator('tbody tr').count(), before);
  });
});
