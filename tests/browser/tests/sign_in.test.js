// Signing in as a person does it: the first time with the administrator's setup code
// (new password, authenticator app, recovery codes), later with password and a code from
// the app; a wrong password; signing out.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startTillit, launchBrowser, watchPage, assertPageBasics, assertFormsLabelled, screenshot,
  createAccount, signIn, signInAgain, signOut,
} from '../harness.js';

describe('signing in and out', { timeout: 180_000 }, () => {
  let tillit;
  let browser;
  let page;
  let watch;
  let account; // what signIn() returned: password, TOTP secret, last step used

  before(async () => {
    tillit = await startTillit();
    browser = await launchBrowser();
    page = browser.page;
    watch = await watchPage(page);
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await tillit?.stop();
    }
  });

  afterEach(() => watch?.assertClean('after this test'));

  const url = (path) => new URL(path, tillit.baseUrl).href;

  it('an anonymous visitor is sent to the sign-in page, which is accessible', async () => {
    await page.goto(url('/catalog'));
    await page.waitForURL(/\/login\?next=%2Fcatalog$/);
    await assertPageBasics(page, { lang: 'sv' });
    await assertFormsLabelled(page);
    assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), 'Logga in');
    await page.getByLabel('Användarnamn', { exact: true }).waitFor();
    await page.getByLabel('Lösenord', { exact: true }).waitFor();
  });

  it('the first sign-in uses the setup code, a new password and an authenticator app', async (t) => {
    const created = await createAccount(tillit, { username: 'tekla', name: 'Tekla Tekniker', roles: ['engineer'] });
    account = await signIn(page, tillit.baseUrl, created);
    assert.ok(account.qrVisible, 'the enrolment page shows the QR code');
    assert.match(account.secret, /^[A-Z2-7]{16,}$/, 'the secret for typing in by hand is base32');
    await assertPageBasics(page, { lang: 'sv' });
    assert.ok(account.recoveryCodes.length >= 8, `recovery codes are shown: ${account.recoveryCodes}`);
    assert.equal(new Set(account.recoveryCodes).size, account.recoveryCodes.length, 'the codes differ');
    assert.equal(account.history['Förra inloggningen'], 'aldrig');
    t.diagnostic(`screenshot: ${await screenshot(page, 'signed-in-first-time')}`);

    // The continue link leads into Tillit; the header says who is signed in.
    await page.getByRole('link', { name: 'Fortsätt' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await assertPageBasics(page, { lang: 'sv' });
    assert.match(await page.getByRole('banner').innerText(), /Tekla Tekniker/);
    // The recovery codes were shown once: nothing shows them again.
    await page.goto(url('/account'));
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(account.recoveryCodes[0]));
  });

  it('signing out ends the session: pages send the browser back to the sign-in page', async () => {
    await page.goto(url('/catalog'));
    await assertPageBasics(page, { lang: 'sv' });
    await signOut(page);
    await assertPageBasics(page, { lang: 'sv' });
    await page.goBack();
    await page.waitForURL(/\/login\?next=/);
    await page.goto(url('/account'));
    await page.waitForURL(/\/login\?next=%2Faccount$/);
    assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), 'Logga in');
  });

  it('a wrong password shows what went wrong and stays on the sign-in page', async () => {
    await page.goto(url('/login'));
    await page.getByLabel('Användarnamn', { exact: true }).fill('tekla');
    await page.getByLabel('Lösenord', { exact: true }).fill('not-the-password');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
      page.getByRole('button', { name: 'Logga in' }).click(),
    ]);
    assert.equal(response.status(), 401);
    await page.waitForLoadState();
    // Chromium logs the 401 answer as a console error; it is the expected one.
    watch.expected(/status of 401 \(Unauthorized\)/);
    assert.equal(new URL(page.url()).pathname, '/login');
    const alert = page.getByRole('alert');
    assert.ok((await alert.innerText()).trim().length > 0, 'an error message is shown');
    assert.equal(await page.getByLabel('Lösenord', { exact: true }).getAttribute('aria-describedby'), 'form-error',
      'the message is tied to the fields');
    await assertPageBasics(page, { lang: 'sv' });
    await assertFormsLabelled(page);
    // One failure makes this address wait a second before the next attempt.
    await page.waitForTimeout(1_500);
  });

  it('a later sign-in asks for password and a code, and shows the previous sign-in', async (t) => {
    const { history } = await signInAgain(page, tillit.baseUrl, account);
    await assertPageBasics(page, { lang: 'sv' });
    assert.match(history['Förra inloggningen'], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC från 127\.0\.0\.1$/);
    assert.match(history['Senaste misslyckade inloggningsförsöket'], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC från 127\.0\.0\.1$/);
    assert.equal(await page.locator('ul.recovery-codes').count(), 0, 'recovery codes are not shown again');
    t.diagnostic(`screenshot: ${await screenshot(page, 'signed-in-again')}`);
    await page.getByRole('link', { name: 'Fortsätt' }).click();
    await page.getByRole('banner').getByRole('button', { name: 'Logga ut' }).waitFor();
  });
});
