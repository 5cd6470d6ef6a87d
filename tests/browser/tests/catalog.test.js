// The requirement catalogue as a person uses it: overview -> security annex ->
// filter -> K14 -> the ISO control it maps to -> English and back.
// The tests run in order on one page, each going on from where the last stopped.
// Everything but the sign-in pages needs a signed-in account: the customer's auditor
// (a business account; administrators see no business data) signs in first.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startTillit, launchBrowser, watchPage, assertPageBasics, screenshot, createAccount, signIn,
} from '../harness.js';

// Known, reported problems the watcher tolerates. Keep this list short and
// remove an entry as soon as its cause is fixed.
const KNOWN_CONSOLE_ERRORS = [];

const K14_TITLE_SV = 'Sårbarhetsskanning minst kvartalsvis och vid större ändringar';
const K14_TITLE_EN = 'Vulnerability scans at least quarterly and after major changes';
const ANNEX_TITLE_SV = 'Säkerhetsbilaga – krav på informationssäkerhet';
const ANNEX_TITLE_EN = 'Security annex – information security requirements';

// K1..K54, IR-1..3, VM-1..5, PM-1..3: the 65 requirements of the annex.
const ANNEX_IDS = [
  ...Array.from({ length: 54 }, (_, i) => `K${i + 1}`),
  ...[1, 2, 3].map((i) => `IR-${i}`),
  ...[1, 2, 3, 4, 5].map((i) => `VM-${i}`),
  ...[1, 2, 3].map((i) => `PM-${i}`),
];

describe('requirement catalogue in the browser', { timeout: 180_000 }, () => {
  let tillit;
  let browser;
  let page;
  let watch;

  before(async () => {
    tillit = await startTillit();
    browser = await launchBrowser();
    page = browser.page;
    watch = await watchPage(page, { ignore: KNOWN_CONSOLE_ERRORS });
    const auditor = await createAccount(tillit, { username: 'revisor', name: 'Rut Revisor', roles: ['auditor'] });
    await signIn(page, tillit.baseUrl, auditor);
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await tillit?.stop();
    }
  });

  // No test may leave a console error or CSP violation behind.
  afterEach(() => watch?.assertClean('after this test'));

  const url = (path) => new URL(path, tillit.baseUrl).href;
  // Each test goes on from where the previous one left the page; when that one
  // failed somewhere else, start from the expected page so failures stay apart.
  async function continueAt(pathAndQuery) {
    const want = new URL(pathAndQuery, tillit.baseUrl);
    const here = new URL(page.url());
    if (here.origin !== want.origin || here.pathname !== want.pathname) {
      await page.goto(want.href);
    }
  }
  // The requirements table is named by its caption ("65 av 65 krav", "14 of 65
  // requirements"); the annex page has other tables too.
  const requirementsTable = () => page.getByRole('table', { name: /\b(av|of) 65 (krav|requirements)\b/ });
  const requirementRows = () => requirementsTable().locator('tbody').getByRole('row');
  const rowOf = (id) => requirementRows().filter({
    has: page.getByRole('link', { name: id, exact: true }),
  });
  // The list that directly follows a second-level heading.
  const listUnder = (heading) => page.getByRole('heading', { level: 2, name: heading, exact: true })
    .locator('xpath=following-sibling::*[1][self::ul or self::ol]');

  it('the overview lists the catalogues and leads to the security annex', async () => {
    const response = await page.goto(tillit.baseUrl);
    assert.equal(response.status(), 200);
    await assertPageBasics(page, { lang: 'sv' });

    const annex = page.getByRole('main').getByRole('link', { name: ANNEX_TITLE_SV });
    await annex.waitFor();
    const card = page.getByRole('main').getByRole('listitem').filter({
      has: page.getByRole('link', { name: ANNEX_TITLE_SV }),
    });
    assert.match(await card.innerText(), /65 krav/);

    await annex.click();
    await page.waitForURL(/\/catalog\/annex(\?|$)/);
    await assertPageBasics(page, { lang: 'sv' });
    assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), ANNEX_TITLE_SV);
  });

  it('the annex lists its 65 requirements, K14 with its title', async (t) => {
    await continueAt('/catalog/annex');
    assert.equal(await requirementRows().count(), 65);
    assert.match(await requirementsTable().locator('caption').innerText(), /65 av 65/);

    const ids = await requirementRows().locator('td:first-child').allInnerTexts();
    assert.deepEqual(ids.map((id) => id.trim()), ANNEX_IDS);

    const k14 = rowOf('K14');
    assert.equal(await k14.count(), 1);
    const cells = (await k14.getByRole('cell').allInnerTexts()).map((c) => c.trim());
    assert.equal(cells[0], 'K14');
    assert.equal(cells.at(-1), K14_TITLE_SV);

    const file = await screenshot(page, 'catalog-annex');
    t.diagnostic(`screenshot: ${file}`);
  });

  it('typing "sårbarhet" into the filter and submitting narrows the list', async () => {
    await continueAt('/catalog/annex');
    const field = page.getByLabel('Filtrera');
    await field.fill('sårbarhet');
    await page.getByRole('button', { name: 'Visa' }).click();
    await page.waitForURL(/[?&]q=/);
    await assertPageBasics(page, { lang: 'sv' });

    const count = await requirementRows().count();
    assert.ok(count > 0 && count < 65, `expected between 1 and 64 rows, saw ${count}`);
    assert.equal(await rowOf('K14').count(), 1, 'K14 is among the filtered requirements');
    assert.match(await requirementsTable().locator('caption').innerText(),
      new RegExp(`^${count} av 65`));
    assert.equal(await page.getByLabel('Filtrera').inputValue(), 'sårbarhet',
      'the filter keeps what was typed');
  });

  it('clicking K14 opens its detail with the Swedish text and what it maps to', async () => {
    await continueAt('/catalog/annex?q=s%C3%A5rbarhet');
    await rowOf('K14').getByRole('link', { name: 'K14', exact: true }).click();
    await page.waitForURL(/\/catalog\/annex\/K14(\?|$)/);
    await assertPageBasics(page, { lang: 'sv' });

    const h1 = (await page.getByRole('heading', { level: 1 }).innerText()).trim();
    assert.match(h1, /K14/);
    assert.ok(h1.includes(K14_TITLE_SV), `h1 "${h1}" has the title`);

    const text = page.locator('main blockquote');
    assert.match(await text.innerText(), /minst en gång per kvartal/);
    assert.equal(await text.getAttribute('lang'), 'sv', 'the annex text is marked as Swedish');

    const mapsTo = listUnder('Motsvarar');
    assert.equal(await mapsTo.count(), 1, 'a list under the heading "Motsvarar"');
    await mapsTo.getByRole('link', { name: 'iso27001-2022: A.8.8', exact: true }).waitFor();

    const duties = listUnder('Återkommande åtaganden');
    assert.ok(await duties.getByRole('listitem').count() >= 1, 'K14 has a recurring duty');
    assert.match(await duties.innerText(), /kvartal/);
  });

  it('the A.8.8 link opens the ISO control, which lists K14 under "Täcker krav"', async () => {
    await continueAt('/catalog/annex/K14');
    await listUnder('Motsvarar').getByRole('link', { name: 'iso27001-2022: A.8.8', exact: true }).click();
    await page.waitForURL(/\/catalog\/iso27001-2022\/A\.8\.8(\?|$)/);
    await assertPageBasics(page, { lang: 'sv' });
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /A\.8\.8/);

    const covers = listUnder('Täcker krav');
    assert.equal(await covers.count(), 1, 'a list under the heading "Täcker krav"');
    const k14 = covers.getByRole('listitem').filter({ hasText: 'K14' });
    assert.equal(await k14.count(), 1);
    assert.match(await k14.innerText(), new RegExp(K14_TITLE_SV));

    await screenshot(page, 'catalog-iso-A.8.8');
    await k14.getByRole('link').click();
    await page.waitForURL(/\/catalog\/annex\/K14(\?|$)/);
  });

  it('the header link switches to English and back to Swedish', async () => {
    await continueAt('/catalog/annex/K14');
    await page.getByRole('banner').getByRole('link', { name: 'English', exact: true }).click();
    await page.waitForURL(/[?&]lang=en/);
    await assertPageBasics(page, { lang: 'en' });
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), new RegExp(K14_TITLE_EN));
    await listUnder('Maps to').getByRole('link', { name: 'iso27001-2022: A.8.8', exact: true }).waitFor();
    assert.equal(await listUnder('Recurring duties').count(), 1);
    await page.getByRole('navigation').getByRole('link', { name: 'Overview', exact: true }).waitFor();
    // The annex text is the contract's verbatim Swedish in both languages.
    assert.match(await page.locator('main blockquote').innerText(), /minst en gång per kvartal/);

    // Following a link keeps the language.
    await page.getByRole('main').getByRole('link', { name: ANNEX_TITLE_EN }).click();
    await page.waitForURL(/\/catalog\/annex\?(.*&)?lang=en/);
    await assertPageBasics(page, { lang: 'en' });
    assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), ANNEX_TITLE_EN);
    await page.getByLabel('Filter', { exact: true }).waitFor();
    assert.equal(await requirementRows().count(), 65);
    assert.equal((await rowOf('K14').getByRole('cell').last().innerText()).trim(), K14_TITLE_EN);

    await page.getByRole('banner').getByRole('link', { name: 'Svenska', exact: true }).click();
    await page.waitForURL(/[?&]lang=sv/);
    await assertPageBasics(page, { lang: 'sv' });
    await page.getByLabel('Filtrera', { exact: true }).waitFor();
    await page.getByRole('banner').getByRole('link', { name: 'English', exact: true }).waitFor();
  });

  it('the skip link is the first thing Tab reaches and jumps to the content', async () => {
    await page.goto(url('/catalog/annex'));
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const box = el.getBoundingClientRect();
      return {
        tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute('href'),
        left: box.left, top: box.top, width: box.width, height: box.height,
      };
    });
    assert.equal(focused.tag, 'A');
    assert.equal(focused.text, 'Hoppa till innehållet');
    assert.equal(focused.href, '#main');
    const viewport = page.viewportSize();
    assert.ok(focused.left >= 0 && focused.top >= 0 && focused.width > 0 && focused.height > 0 &&
      focused.left + focused.width <= viewport.width,
      `the focused skip link is visible in the viewport: ${JSON.stringify(focused)}`);

    await page.keyboard.press('Enter');
    await page.waitForURL(/#main$/);
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate(() => Boolean(document.activeElement.closest('main')));
    assert.ok(inMain, 'after the skip link, the next Tab lands inside <main>');
  });

  it('every page has an <h1>, html lang and a strict CSP, in both languages', async () => {
    const paths = [
      '/', '/catalog', '/catalog/annex', '/catalog/annex?q=s%C3%A5rbarhet',
      '/catalog/annex/K14', '/catalog/annex/IR-1', '/catalog/annex/PM-3',
      '/catalog/iso27001-2022', '/catalog/iso27001-2022/A.8.8', '/catalog/gdpr',
    ];
    for (const lang of ['sv', 'en']) {
      for (const path of paths) {
        const target = new URL(path, tillit.baseUrl);
        target.searchParams.set('lang', lang);
        const response = await page.goto(target.href);
        assert.equal(response.status(), 200, `GET ${target.pathname}${target.search}`);
        const csp = (await response.allHeaders())['content-security-policy'] ?? '';
        assert.match(csp, /script-src 'self'/, `CSP on ${target.href}`);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP on ${target.href}`);
        await assertPageBasics(page, { lang });
      }
    }
  });
});
