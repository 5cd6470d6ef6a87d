// Signing in with an eID through OpenID Connect, end to end: Tillit's login page, a real
// OpenID Connect provider (the `oidc-provider` package, started on loopback over HTTPS), and
// back. The provider lets the test choose the assurance level it issues, so the test can show
// that LoA3 gets in and LoA2 is refused with a clear message, and that an eID not linked to
// any account gets nowhere.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync, appendFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startTillit, launchBrowser, createAccount, runTillit } from '../harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const providerDir = path.resolve(here, '../../oidc-provider');
const ALICE_SUBJECT = '5a1d7c2e-9b64-4f0e-8d3a-a11ce0000001';
const LOA2 = 'http://id.elegnamnden.se/loa/1.0/loa2';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const skip = existsSync(path.join(providerDir, 'node_modules', 'oidc-provider'))
  ? false
  : 'tests/oidc-provider/node_modules is missing; run scripts/setup.sh --test';

describe('signing in with an eID (OpenID Connect, LoA3)', { timeout: 180_000, skip }, () => {
  let work;
  let provider;
  let issuer;
  let tillit;
  let browser;
  let base;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'tillit-oidc-'));
    const cert = path.join(work, 'provider.pem');
    const key = path.join(work, 'provider-key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' });
    const secretFile = path.join(work, 'client-secret');
    writeFileSync(secretFile, execFileSync('openssl', ['rand', '-hex', '32']).toString().trim(), { mode: 0o600 });

    const tillitPort = await freePort();
    base = `https://localhost:${tillitPort}`;
    provider = spawn(process.execPath, [path.join(providerDir, 'provider.mjs'), '--port', '0', '--cert', cert,
      '--key', key, '--client-id', 'tillit', '--client-secret-file', secretFile,
      '--redirect-uri', `${base}/auth/oidc/callback`], { stdio: ['ignore', 'pipe', 'pipe'] });
    issuer = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the OpenID provider did not start')), 90_000);
      createInterface({ input: provider.stdout }).on('line', (line) => {
        const m = /^ready (https:\/\/\S+)$/.exec(line.trim());
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      provider.once('exit', (code) => reject(new Error(`the OpenID provider exited (${code})`)));
    });

    tillit = await startTillit({
      listen: `127.0.0.1:${tillitPort}`,
      configure: async (dataDir) => {
        const kept = path.join(dataDir, 'keys', 'oidc-client-secret');
        copyFileSync(secretFile, kept);
        chmodSync(kept, 0o600);
        appendFileSync(path.join(dataDir, 'tillit.yaml'),
          `public_url: "${base}"\noidc_issuer: "${issuer}"\noidc_client_id: "tillit"\n` +
          `oidc_client_secret_file: "keys/oidc-client-secret"\noidc_ca_file: "${cert}"\n`);
      },
    });
    await createAccount(tillit, { username: 'alice', name: 'Alice Andersson', roles: ['auditor'] });
    await runTillit(['user', 'link', 'alice', '--data', tillit.dataDir, '--issuer', issuer, '--subject', ALICE_SUBJECT]);
    browser = await launchBrowser();
  });

  after(async () => {
    try {
      await browser?.close();
      await tillit?.stop();
    } finally {
      provider?.kill('SIGTERM');
      if (work) rmSync(work, { recursive: true, force: true });
    }
  });

  // Tillit's login page -> the provider's login form (username and the assurance level it will
  // issue) -> its consent form -> back to Tillit.
  async function signInWithEid(page, username, acr) {
    await page.goto(`${base}/login?lang=en`);
    await page.getByRole('link', { name: 'Sign in with an eID' }).click();
    await page.waitForURL((u) => u.href.startsWith(issuer));
    await page.locator('input[name="username"]').fill(username);
    if (acr) await page.locator('select[name="acr"]').selectOption(acr);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const consent = page.getByRole('button', { name: 'Continue' });
    await Promise.race([
      consent.click({ timeout: 10_000 }).catch(() => {}),
      page.waitForURL((u) => u.href.startsWith(base), { timeout: 10_000 }).catch(() => {}),
    ]);
    await page.waitForURL((u) => u.href.startsWith(`${base}/auth/oidc/callback`));
  }

  it('a linked person signs in at LoA3 without a Tillit password and gets their role', async () => {
    const page = await browser.context.newPage();
    await signInWithEid(page, 'alice');
    await assert.doesNotReject(page.locator('.sign-in-history').waitFor());
    await page.getByRole('link', { name: /Continue|Fortsätt/ }).click();
    await page.goto(`${base}/catalog?lang=en`);
    assert.match(page.url(), /\/catalog/);
    assert.match(await page.locator('h1').innerText(), /catalogue/i);
    await page.close();
    const audit = await runTillit(['audit', 'export', '--data', tillit.dataDir]);
    const success = audit.split('\n').find((line) => line.includes('"action":"login.success"'));
    assert.ok(success, 'a login.success event');
    assert.match(success, /oidc/);
    assert.match(success, /loa3/);
  });

  it('a sign-in at LoA2 is refused with a message naming the required level', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await signInWithEid(page, 'alice', LOA2);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /loa3/);
    await page.goto(`${base}/catalog`);
    assert.match(page.url(), /\/login\?next=/);
    await page.close();
  });

  it('an eID that is not linked to an account gets nowhere', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await signInWithEid(page, 'bob');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /no active Tillit account is linked/);
    await page.close();
  });
});
