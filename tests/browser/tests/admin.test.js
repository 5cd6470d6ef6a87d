// Account administration as the administrators and the people they serve use it:
// the accounts list, creating an account (setup code shown once), four-eyes approval of a
// privileged role by a second administrator, setup codes, deactivation and deletion, what
// an engineer and an auditor may see, and one's own account with API tokens.
// The tests run in order: each goes on from what the one before left.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startTillit, launchBrowser, watchPage, assertPageBasics, assertFormsLabelled, screenshot,
  createAccount, signIn, signOut,
} from '../harness.js';

describe('account administration in the browser', { timeout: 300_000 }, () => {
  let tillit;
  let first; // the first administrator's browser
  let other; // a second browser: the second administrator, then an engineer, then an auditor
  let page;
  let watch;
  let page2;
  let watch2;
  const setupCodes = {}; // user name -> setup code

  before(async () => {
    tillit = await startTillit();
    first = await launchBrowser();
    page = first.page;
    watch = await watchPage(page);
    other = await launchBrowser();
    page2 = other.page;
    watch2 = await watchPage(page2);
    // The CLI acts as the local operator: no approval needed, even for an administrator.
    for (const account of [
      { username: 'admin2', name: 'Andra Admin', kind: 'admin', roles: ['admin'] },
      { username: 'eva', name: 'Eva Ek', roles: ['engineer'] },
      { username: 'aud', name: 'Agnes Granskare', roles: ['auditor'] },
      { username: 'ulla', name: 'Ulla Utgår', roles: ['data_protection_officer'] },
    ]) {
      setupCodes[account.username] = (await createAccount(tillit, account)).setupCode;
    }
    await signIn(page, tillit.baseUrl, { username: 'admin', setupCode: tillit.setupCode });
  });

  after(async () => {
    try {
      await first?.close();
      await other?.close();
    } finally {
      await tillit?.stop();
    }
  });

  afterEach(() => {
    watch?.assertClean('first browser, after this test');
    watch2?.assertClean('second browser, after this test');
  });

  const url = (path) => new URL(path, tillit.baseUrl).href;
  const h1 = async (p = page) => (await p.getByRole('heading', { level: 1 }).innerText()).trim();
  const nav = (p = page) => p.getByRole('navigation', { name: 'Huvudmeny' });
  const accountsTable = (p = page) => p.getByRole('table', { name: /Alla konton/ });
  const rowOf = (username, p = page) => accountsTable(p).getByRole('row').filter({
    has: p.getByRole('rowheader', { name: username, exact: true }),
  });
  const cellsOf = async (row) => (await row.getByRole('cell').allInnerTexts()).map((c) => c.trim());
  const region = (name, p = page) => p.getByRole('region', { name, exact: true });
  const fact = async (term, p = page) => (await p.locator('dl.facts dt', { hasText: term })
    .locator('xpath=following-sibling::dd[1]').first().innerText()).trim();
  // Waits for the answer to a form's button, so its status can be checked.
  async function submit(button, p = page) {
    const [response] = await Promise.all([
      p.waitForResponse((r) => r.request().method() === 'POST'),
      button.click(),
    ]);
    await p.waitForLoadState();
    return response;
  }

  it('an administrator sees Accounts, not the catalogue, and the list of every account', async (t) => {
    await page.getByRole('link', { name: 'Fortsätt' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal(await nav().getByRole('link', { name: 'Kravkatalog' }).count(), 0,
      'an administrator sees no business data');
    await nav().getByRole('link', { name: 'Konton', exact: true }).click();
    await page.waitForURL(/\/admin\/users\?/);
    await assertPageBasics(page, { lang: 'sv' });
    await assertFormsLabelled(page);
    assert.equal(await h1(), 'Konton');
    assert.equal(await nav().getByRole('link', { name: 'Konton', exact: true }).getAttribute('aria-current'), 'page');

    assert.match(await accountsTable().locator('caption').innerText(), /\(5\)/);
    // user name (row header), then: name, kind, status, roles, second factor, last sign-in
    const admin = await cellsOf(rowOf('admin'));
    assert.deepEqual(admin.slice(1, 5), ['administratör', 'aktivt', 'systemadministratör', 'ja']);
    assert.match(admin[5], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    assert.deepEqual(await cellsOf(rowOf('eva')),
      ['Eva Ek', 'verksamhet', 'väntar på första inloggningen', 'tekniker', 'nej', 'aldrig']);
    t.diagnostic(`screenshot: ${await screenshot(page, 'admin-users')}`);
  });

  it('creating an account shows its one-time setup code', async (t) => {
    const form = region('Skapa konto');
    await form.getByLabel('Användarnamn').fill('bo');
    await form.getByLabel('Fullständigt namn').fill('Bo Berg');
    await form.getByLabel('E-postadress (frivillig)').fill('bo@example.se');
    await form.getByRole('radio', { name: /^Verksamhetskonto/ }).check();
    await form.getByLabel('tekniker').check();
    await form.getByLabel(/^Motivering/).fill('ny tekniker i driftteamet');
    const response = await submit(form.getByRole('button', { name: 'Skapa kontot' }));
    assert.equal(response.status(), 200);
    await assertPageBasics(page, { lang: 'sv' });
    assert.equal(await h1(), 'Kontot är skapat');
    const code = (await page.locator('code.setup-code').innerText()).trim();
    assert.match(code, /^[A-Z0-9-]{16,}$/);
    setupCodes.bo = code;
    t.diagnostic(`screenshot: ${await screenshot(page, 'admin-account-created')}`);

    await page.getByRole('link', { name: 'Till kontolistan' }).click();
    await page.waitForURL(/\/admin\/users\?/);
    assert.deepEqual((await cellsOf(rowOf('bo'))).slice(0, 4),
      ['Bo Berg', 'verksamhet', 'väntar på första inloggningen', 'tekniker']);
    assert.equal(await page.locator('code.setup-code').count(), 0, 'the code is not shown again');
  });

  it('a refused account is explained at the form, which keeps what was typed', async () => {
    const form = region('Skapa konto');
    await form.getByLabel('Användarnamn').fill('Bad Name');
    await form.getByLabel('Fullständigt namn').fill('Bad Name');
    const response = await submit(form.getByRole('button', { name: 'Skapa kontot' }));
    assert.equal(response.status(), 400);
    watch.expected(/status of 400/);
    await assertPageBasics(page, { lang: 'sv' });
    await assertFormsLabelled(page);
    const error = page.locator('#create-error');
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.match(await error.innerText(), /user name/);
    const field = region('Skapa konto').getByLabel('Användarnamn');
    assert.equal(await field.inputValue(), 'Bad Name');
    assert.match(await field.getAttribute('aria-describedby'), /\bcreate-error\b/);
  });

  it('granting security manager opens a request the same administrator cannot approve', async (t) => {
    await page.goto(url('/admin/users'));
    await rowOf('eva').getByRole('link', { name: 'eva' }).click();
    await page.waitForURL(/\/admin\/users\/eva\?/);
    await assertPageBasics(page, { lang: 'sv' });
    await assertFormsLabelled(page);
    assert.equal(await h1(), 'Konto eva');
    assert.equal(await page.getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Konton' }).getAttribute('aria-current'), 'true', 'a page below "Konton"');

    const grant = region('Tilldela en roll');
    await grant.getByLabel('Roll').selectOption({ label: 'säkerhetsansvarig' });
    await grant.getByLabel(/^Motivering/).fill('ska ansvara för säkerhetsbilagan');
    await submit(grant.getByRole('button', { name: 'Tilldela rollen' }));
    const notice = page.getByRole('status');
    assert.match(await notice.innerText(), /Begäran #1 är öppnad/);
    assert.equal(await fact('Roller'), 'tekniker', 'the role waits for approval');

    await notice.getByRole('link', { name: 'Till godkännanden' }).click();
    await page.waitForURL(/\/admin\/approvals\?/);
    await assertPageBasics(page, { lang: 'sv' });
    await assertFormsLabelled(page);
    const pending = page.getByRole('table', { name: 'Förfrågningar som väntar på beslut' });
    const row = pending.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '#1' }) });
    assert.match(await row.innerText(), /Tilldela roll/);
    assert.match(await row.innerText(), /grant security_manager to eva/);
    await row.getByLabel('Anteckning (frivillig)').fill('jag godkänner min egen');
    const response = await submit(row.getByRole('button', { name: 'Godkänn #1' }));
    assert.equal(response.status(), 403);
    watch.expected(/status of 403/);
    const refused = page.getByRole('table', { name: 'Förfrågningar som väntar på beslut' })
      .getByRole('row').filter({ has: page.getByRole('rowheader', { name: '#1' }) });
    assert.match(await refused.getByRole('alert').innerText(), /nobody approves or rejects their own request/);
    assert.equal(await refused.getByLabel('Anteckning (frivillig)').getAttribute('aria-describedby'),
      'decision-1-error');
    await assertFormsLabelled(page);
    t.diagnostic(`screenshot: ${await screenshot(page, 'admin-approvals-own-request')}`);
  });

  it('a second administrator approves it and the role takes effect', async () => {
    await signIn(page2, tillit.baseUrl, { username: 'admin2', setupCode: setupCodes.admin2 });
    await page2.goto(url('/admin/users'));
    await page2.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Godkännanden' }).click();
    await page2.waitForURL(/\/admin\/approvals\?/);
    await assertPageBasics(page2, { lang: 'sv' });
    const row = page2.getByRole('table', { name: 'Förfrågningar som väntar på beslut' })
      .getByRole('row').filter({ has: page2.getByRole('rowheader', { name: '#1' }) });
    assert.match(await row.getByRole('cell').nth(2).innerText(), /^admin$/, 'requested by the first administrator');
    await row.getByLabel('Anteckning (frivillig)').fill('ok enligt beslut');
    await submit(row.getByRole('button', { name: 'Godkänn #1' }), page2);
    assert.match(await page2.getByRole('status').innerText(), /Begäran #1 är godkänd och genomförd/);
    assert.match(await page2.locator('main').innerText(), /Inga förfrågningar väntar/);
    const history = page2.getByRole('table', { name: 'Godkända och avslagna förfrågningar' });
    const decided = history.getByRole('row').filter({ has: page2.getByRole('rowheader', { name: '#1' }) });
    const cells = (await decided.getByRole('cell').allInnerTexts()).map((c) => c.trim());
    assert.deepEqual(cells.slice(1), ['admin', 'godkänd', 'admin2', cells[4], 'ok enligt beslut']);

    await page.goto(url('/admin/users/eva'));
    assert.equal(await fact('Roller'), 'tekniker, säkerhetsansvarig');
  });

  it('creating an administrator account is a request for another administrator too', async () => {
    await page.goto(url('/admin/users'));
    const form = region('Skapa konto');
    await form.getByLabel('Användarnamn').fill('adm3');
    await form.getByLabel('Fullständigt namn').fill('Tredje Admin');
    await form.getByRole('radio', { name: /^Administratörskonto/ }).check();
    await form.getByLabel(/^Motivering/).fill('jour under semestern');
    await submit(form.getByRole('button', { name: 'Skapa kontot' }));
    await assertPageBasics(page, { lang: 'sv' });
    assert.equal(await h1(), 'Begäran om ett administratörskonto är öppnad');
    assert.equal(await page.locator('code.setup-code').count(), 0, 'no setup code before the approval');
    assert.match(await page.locator('main').innerText(), /Begäran #2/);
    await page.getByRole('link', { name: 'Till godkännanden' }).click();
    await page.waitForURL(/\/admin\/approvals\?/);
    const row = page.getByRole('table', { name: 'Förfrågningar som väntar på beslut' })
      .getByRole('row').filter({ has: page.getByRole('rowheader', { name: '#2' }) });
    assert.match(await row.innerText(), /Skapa administratörskonto/);
    assert.equal(await page.getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Godkännanden' }).getAttribute('aria-current'), 'page');
  });

  it('a new setup code for an account is shown once', async () => {
    await page.goto(url('/admin/users/eva'));
    await region('Ny engångskod').getByRole('button', { name: 'Skapa en engångskod' }).click();
    await page.waitForLoadState();
    await assertPageBasics(page, { lang: 'sv' });
    assert.equal(await h1(), 'Ny engångskod för eva');
    assert.match((await page.locator('code.setup-code').innerText()).trim(), /^[A-Z0-9-]{16,}$/);
  });

  it('deactivating takes effect at once; deleting asks first and keeps a tombstone', async (t) => {
    await page.goto(url('/admin/users/ulla'));
    const off = region('Stäng av kontot');
    await off.getByLabel(/^Motivering/).fill('slutat');
    await submit(off.getByRole('button', { name: 'Stäng av kontot' }));
    assert.match(await page.getByRole('status').innerText(), /Kontot är avstängt/);
    assert.equal(await fact('Status'), 'avstängt');
    assert.equal(await region('Begär att kontot öppnas igen').count(), 1);

    const del = region('Radera kontot');
    await del.getByLabel(/^Motivering/).fill('anställningen har upphört');
    await submit(del.getByRole('button', { name: 'Radera …' }));
    await assertPageBasics(page, { lang: 'sv' });
    await assertFormsLabelled(page);
    assert.equal(await h1(), 'Radera kontot ulla?');
    t.diagnostic(`screenshot: ${await screenshot(page, 'admin-confirm-delete')}`);
    await submit(page.getByRole('button', { name: 'Ja, radera kontot' }));
    await page.waitForURL(/\/admin\/users\/ulla\?.*done=deleted/);
    assert.match(await page.getByRole('status').innerText(), /Kontot är raderat/);
    assert.equal(await fact('Status'), 'raderat');
    assert.equal(await page.getByRole('heading', { name: 'Ändra kontot' }).count(), 0, 'nothing left to change');
  });

  it('an engineer sees no Accounts menu and is refused the accounts page', async () => {
    await signOut(page2);
    await signIn(page2, tillit.baseUrl, { username: 'bo', setupCode: setupCodes.bo });
    await page2.getByRole('link', { name: 'Fortsätt' }).click();
    await page2.waitForURL((u) => u.pathname === '/');
    const menu = nav(page2);
    await menu.getByRole('link', { name: 'Kravkatalog' }).waitFor();
    await menu.getByRole('link', { name: 'Mitt konto' }).waitFor();
    assert.equal(await menu.getByRole('link', { name: 'Konton' }).count(), 0);
    for (const path of ['/admin/users', '/admin/users/eva', '/admin/approvals']) {
      const response = await page2.goto(url(path));
      assert.equal(response.status(), 403, path);
      await assertPageBasics(page2, { lang: 'sv' });
      // The refusal keeps the person's own menu and sign-out button.
      await nav(page2).getByRole('link', { name: 'Mitt konto' }).waitFor();
      assert.equal(await nav(page2).getByRole('link', { name: 'Konton' }).count(), 0);
    }
    watch2.expected(/status of 403/);
  });

  it('my account shows who I am and makes an API token that is shown once and can be revoked', async (t) => {
    await nav(page2).getByRole('link', { name: 'Mitt konto' }).click();
    await page2.waitForURL(/\/account\?/);
    await assertPageBasics(page2, { lang: 'sv' });
    await assertFormsLabelled(page2);
    assert.equal(await nav(page2).getByRole('link', { name: 'Mitt konto' }).getAttribute('aria-current'), 'page');
    assert.equal(await fact('Användarnamn', page2), 'bo');
    assert.equal(await fact('Roller', page2), 'tekniker');
    assert.match(await fact('Senaste inloggning', page2), /UTC från 127\.0\.0\.1$/);
    await page2.getByRole('link', { name: 'Byt lösenord' }).waitFor();

    const create = region('Skapa en API-nyckel', page2);
    // Only what the account itself may do: an engineer reads the catalogue and the compliance
    // register, handles vulnerabilities and uploads evidence.
    const offered = await create.getByRole('checkbox').evaluateAll((boxes) => boxes.map((b) => b.labels[0].textContent.trim()));
    assert.deepEqual(offered, ['läsa kravkataloger', 'se sårbarheter och importer', 'importera skanningsrapporter',
      'hantera sårbarheter', 'läsa efterlevnad och bevis', 'ladda upp bevis']);
    await create.getByLabel('Vad nyckeln är till för').fill('CI-import');
    await create.getByLabel('läsa kravkataloger').check();
    await create.getByLabel('Giltighetstid i dagar').fill('30');
    await submit(create.getByRole('button', { name: 'Skapa nyckeln' }), page2);
    await assertPageBasics(page2, { lang: 'sv' });
    assert.equal(await h1(page2), 'API-nyckeln är skapad');
    const token = (await page2.locator('code.api-token').innerText()).trim();
    assert.match(token, /^tillit_\S{20,}$/);
    t.diagnostic(`screenshot: ${await screenshot(page2, 'account-token-created')}`);

    const me = await page2.request.get(url('/api/v1/me'), { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status(), 200);
    assert.equal((await me.json()).username, 'bo');

    await page2.getByRole('link', { name: 'Till mitt konto' }).click();
    await page2.waitForURL(/\/account\?/);
    assert.equal(await page2.locator('code.api-token').count(), 0, 'the token is not shown again');
    const tokens = page2.getByRole('table', { name: 'Dina API-nycklar' });
    const row = tokens.getByRole('row').filter({ has: page2.getByRole('rowheader', { name: 'CI-import' }) });
    const cells = (await row.getByRole('cell').allInnerTexts()).map((c) => c.trim());
    assert.equal(cells[0], 'läsa kravkataloger');
    assert.equal(cells[4], 'gäller');
    await submit(row.getByRole('button', { name: 'Återkalla CI-import' }), page2);
    assert.match(await page2.getByRole('status').innerText(), /API-nyckeln är återkallad/);
    const revoked = page2.getByRole('table', { name: 'Dina API-nycklar' }).getByRole('row')
      .filter({ has: page2.getByRole('rowheader', { name: 'CI-import' }) });
    assert.equal((await revoked.getByRole('cell').nth(4).innerText()).trim(), 'återkallad');
    const after = await page2.request.get(url('/api/v1/me'), { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(after.status(), 401, 'a revoked token no longer works');
  });

  it('an auditor sees the accounts and requests but can change nothing', async () => {
    await signOut(page2);
    await signIn(page2, tillit.baseUrl, { username: 'aud', setupCode: setupCodes.aud });
    await page2.goto(url('/'));
    await nav(page2).getByRole('link', { name: 'Konton', exact: true }).click();
    await page2.waitForURL(/\/admin\/users\?/);
    await assertPageBasics(page2, { lang: 'sv' });
    assert.equal(await rowOf('eva', page2).count(), 1);
    assert.equal(await page2.getByRole('heading', { name: 'Skapa konto' }).count(), 0);
    await rowOf('eva', page2).getByRole('link', { name: 'eva' }).click();
    await page2.waitForURL(/\/admin\/users\/eva\?/);
    assert.equal(await page2.locator('main form').count(), 0, 'no forms that change the account');
    await page2.goto(url('/admin/approvals'));
    await assertPageBasics(page2, { lang: 'sv' });
    assert.equal(await page2.getByRole('button').filter({ hasText: /Godkänn|Avslå/ }).count(), 0);
  });

  it('every administration and account page has one h1, labelled fields and its language', async () => {
    const paths = ['/admin/users', '/admin/users/eva', '/admin/users/admin', '/admin/users/ulla',
      '/admin/approvals', '/account'];
    for (const lang of ['sv', 'en']) {
      for (const path of paths) {
        const target = new URL(path, tillit.baseUrl);
        target.searchParams.set('lang', lang);
        const response = await page.goto(target.href);
        assert.equal(response.status(), 200, `GET ${target.pathname}${target.search}`);
        await assertPageBasics(page, { lang });
        await assertFormsLabelled(page);
        const csp = (await response.allHeaders())['content-security-policy'] ?? '';
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP on ${target.href}`);
      }
    }
    await page.goto(url('/admin/users?lang=en'));
    assert.equal(await h1(), 'Accounts');
    await page.getByRole('region', { name: 'Create an account' }).getByLabel('User name').waitFor();
  });
});
