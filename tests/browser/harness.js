// Browser test harness for Tillit.
//
// Every UI test uses these helpers:
//   startTillit()      a fresh installation served over HTTPS on a free port
//   launchBrowser()    Debian's Chromium driven by playwright-core, fresh profile
//   watchPage(page)    collects console errors, page errors and CSP violations
//   assertPageBasics() <html lang> is set and the page has exactly one <h1>
//   screenshot()       full-page PNG in tests/browser/test-results/
//   createAccount()    an account made with `tillit user add` (prints its setup code)
//   signIn()           the real first sign-in: setup code, password, authenticator, recovery codes
//   signInAgain()      a later sign-in: password, then a TOTP code from the next unused step
//   signOut()          the header's sign-out button
//   totp()             RFC 6238 codes computed here, from the secret the enrolment page shows
//   assertFormsLabelled()  every visible form control has a label; every table a caption
//
// Nothing here downloads a browser: Chromium comes from the system
// (apt-get install -y chromium); override its path with CHROMIUM_BIN.

import { spawn, execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { createHmac, randomBytes } from 'node:crypto';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Directory for screenshots and other artefacts (git-ignored). */
export const resultsDir = path.join(here, 'test-results');

const LISTEN_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const INIT_TIMEOUT_MS = 30_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these two Chromium's own connections are refused in the sandbox.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Never send 127.0.0.1 through a proxy, whatever the environment says.
  '--no-proxy-server',
];

const LOCAL_NO_PROXY = '127.0.0.1,localhost,::1';

// Processes and directories to clean up if the test process ends early.
// The 'exit' handler covers a normal exit; a watchdog (below) covers the rest.
const liveServers = new Set();
const liveDirs = new Set();
process.on('exit', () => {
  for (const child of liveServers) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const dir of liveDirs) {
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

// A small shell that outlives this process: when its stdin reaches EOF
// (this process ended in any way, SIGKILL and SIGPIPE included, or the test
// runner's SIGTERM, which skips 'exit' handlers), it stops `pid` with SIGTERM
// (SIGKILL after 10 s) and removes `dir`. release() disarms it.
const WATCHDOG = `
cat >/dev/null
if [ -n "$1" ]; then
  kill -TERM "$1" 2>/dev/null
  i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
  kill -KILL "$1" 2>/dev/null
else
  sleep 2
fi
rm -rf -- "$2"
`;

function watchdog(pid, dir) {
  const dog = spawn('/bin/sh', ['-c', WATCHDOG, 'tillit-test-watchdog', pid ? String(pid) : '', dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true, // not in our process group: a Ctrl-C must not take it down with us
  });
  dog.on('error', () => { /* cleanup falls back to the 'exit' handler */ });
  dog.stdin.on('error', () => {});
  dog.unref();
  dog.stdin.unref?.();
  return {
    release() {
      try { dog.kill('SIGKILL'); } catch { /* already gone */ }
    },
  };
}

function isExecutableFile(file) {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The tillit binary under test, from the environment variable TILLIT_BIN.
 * Throws a clear error when it is unset or not an executable file.
 */
export function tillitBin(env = process.env) {
  const bin = env.TILLIT_BIN;
  if (!bin) {
    throw new Error(
      'TILLIT_BIN is not set: point it at the tillit binary, e.g. ' +
      'TILLIT_BIN=$PWD/build/apps/tillit/tillit bash tests/browser/run.sh');
  }
  const resolved = path.resolve(bin);
  if (!isExecutableFile(resolved)) {
    throw new Error(`TILLIT_BIN=${bin} is not an executable file (resolved to ${resolved}); ` +
      'build it with: cmake -G Ninja -S . -B build -DTILLIT_TESTS=OFF && ninja -C build tillit');
  }
  return resolved;
}

/** Path to Chromium: CHROMIUM_BIN or /usr/bin/chromium. */
export function chromiumBin(env = process.env) {
  const bin = env.CHROMIUM_BIN || '/usr/bin/chromium';
  if (!isExecutableFile(bin)) {
    throw new Error(`Chromium not found at ${bin}: install Debian's package with ` +
      '`apt-get install -y chromium` or set CHROMIUM_BIN (never download a browser)');
  }
  return bin;
}

/** Pulls the one-time setup code out of `tillit init`'s output. */
export function parseSetupCode(output) {
  // The code stands alone on the first non-empty line after "... setup code:".
  const lines = output.split(/\r?\n/);
  const at = lines.findIndex((line) => /setup code/i.test(line));
  if (at >= 0) {
    const next = lines.slice(at + 1).find((line) => line.trim() !== '');
    if (next && /^\s*[A-Z0-9]+(?:-[A-Z0-9]+)+\s*$/.test(next)) return next.trim();
  }
  const loose = output.match(/\b[A-Z0-9]{4,}(?:-[A-Z0-9]{4,}){2,}\b/);
  return loose ? loose[0] : null;
}

function runInit(bin, dataDir) {
  return new Promise((resolve, reject) => {
    execFile(bin, ['init', '--data', dataDir], { timeout: INIT_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error) {
          reject(new Error(`tillit init --data ${dataDir} failed (${error.code ?? error.signal}):\n${output}`));
        } else {
          resolve(output);
        }
      });
  });
}

function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

/**
 * Creates a fresh installation in a temporary directory, serves it on
 * 127.0.0.1 with a free port and waits until it says it is listening.
 *
 * @param {object} [options]
 * @param {string[]} [options.serveArgs] extra arguments for `tillit serve`
 * @param {number} [options.timeoutMs] how long to wait for the listening line
 * @param {string} [options.listen] ADDR:PORT to serve on (default a free loopback port)
 * @param {(dataDir: string) => Promise<void>} [options.configure] runs after init, before serve
 * @returns {Promise<{baseUrl: string, dataDir: string, setupCode: string,
 *   initOutput: string, pid: number, stderr: () => string,
 *   stop: () => Promise<void>}>} baseUrl ends with '/'; stop() sends SIGTERM,
 *   waits for the exit and removes the temporary directory; it throws when
 *   the server had died during the test or did not exit 0 on SIGTERM.
 */
export async function startTillit({ serveArgs = [], timeoutMs = LISTEN_TIMEOUT_MS, listen = '127.0.0.1:0',
  configure = null } = {}) {
  const bin = tillitBin();
  const tmp = await mkdtemp(path.join(tmpdir(), 'tillit-browser-'));
  liveDirs.add(tmp);
  const dataDir = path.join(tmp, 'data');
  const cleanup = async () => {
    await rm(tmp, { recursive: true, force: true });
    liveDirs.delete(tmp);
  };

  let initOutput;
  try {
    initOutput = await runInit(bin, dataDir);
  } catch (error) {
    await cleanup();
    throw error;
  }
  if (configure) {
    try {
      await configure(dataDir);
    } catch (error) {
      await cleanup();
      throw error;
    }
  }
  const setupCode = parseSetupCode(initOutput);
  if (!setupCode) {
    await cleanup();
    throw new Error(`no setup code in the output of tillit init:\n${initOutput}`);
  }

  const child = spawn(bin, ['serve', '--data', dataDir, '--listen', listen, ...serveArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(child);
  child.once('exit', () => liveServers.delete(child));
  const dog = watchdog(child.pid, tmp);

  let stderr = '';
  const stdoutLines = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });

  let baseUrl;
  try {
    baseUrl = await new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      const timer = setTimeout(() => {
        fail(new Error(`tillit serve did not print its listening line within ${timeoutMs} ms.\n` +
          `stdout:\n${stdoutLines.join('\n')}\nstderr:\n${stderr}`));
      }, timeoutMs);
      function fail(error) {
        clearTimeout(timer);
        child.off('exit', onExit);
        reject(error);
      }
      function onExit(code, signal) {
        // Let the last stderr bytes arrive before reporting.
        setImmediate(() => fail(new Error(
          `tillit serve exited (${code ?? signal}) before it was listening.\n` +
          `stdout:\n${stdoutLines.join('\n')}\nstderr:\n${stderr}`)));
      }
      child.once('exit', onExit);
      child.once('error', (error) => fail(new Error(`could not start tillit serve: ${error.message}`)));
      lines.on('line', (line) => {
        stdoutLines.push(line);
        const match = /^Tillit listening on (https:\/\/\S+)$/.exec(line.trim());
        if (match) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(match[1].endsWith('/') ? match[1] : `${match[1]}/`);
        }
      });
    });
  } catch (error) {
    dog.release();
    child.kill('SIGKILL');
    await waitForExit(child, STOP_TIMEOUT_MS);
    await cleanup();
    throw error;
  }

  let stopped = null;
  async function stop() {
    if (stopped) return stopped;
    stopped = (async () => {
      dog.release();
      const diedEarly = child.exitCode !== null || child.signalCode !== null;
      let graceful = true;
      if (!diedEarly) {
        child.kill('SIGTERM');
        graceful = await waitForExit(child, STOP_TIMEOUT_MS);
        if (!graceful) {
          child.kill('SIGKILL');
          await waitForExit(child, STOP_TIMEOUT_MS);
        }
      }
      await cleanup();
      if (diedEarly) {
        throw new Error(`tillit serve ended by itself during the test ` +
          `(${child.exitCode ?? child.signalCode}).\nstderr:\n${stderr}`);
      }
      if (!graceful) {
        throw new Error(`tillit serve did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM; ` +
          `killed it.\nstderr:\n${stderr}`);
      }
      if (child.exitCode !== 0) {
        throw new Error(`tillit serve exited with ${child.exitCode ?? child.signalCode} ` +
          `on SIGTERM instead of 0.\nstderr:\n${stderr}`);
      }
    })();
    return stopped;
  }

  return { baseUrl, dataDir, setupCode, initOutput, pid: child.pid, stderr: () => stderr, stop };
}

/**
 * Launches Chromium with a fresh temporary profile.
 *
 * @param {object} [options] extra context options (viewport, locale, ...)
 * @returns {Promise<{browser: import('playwright-core').Browser,
 *   context: import('playwright-core').BrowserContext,
 *   page: import('playwright-core').Page, close: () => Promise<void>}>}
 */
export async function launchBrowser(options = {}) {
  const executablePath = chromiumBin();
  const profile = await mkdtemp(path.join(tmpdir(), 'tillit-chromium-'));
  liveDirs.add(profile);
  // Chromium exits by itself when this process goes (its DevTools pipe
  // closes); the watchdog then removes the profile.
  const dog = watchdog(null, profile);
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 900 },
      // The server picks the language from Accept-Language when the URL has
      // no ?lang=; a Swedish person's browser asks for Swedish.
      locale: 'sv-SE',
      timezoneId: 'Europe/Stockholm',
      env: { ...process.env, NO_PROXY: LOCAL_NO_PROXY, no_proxy: LOCAL_NO_PROXY },
      timeout: 30_000,
      ...options,
    });
  } catch (error) {
    dog.release();
    await rm(profile, { recursive: true, force: true, maxRetries: 3 });
    liveDirs.delete(profile);
    throw error;
  }
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = context.pages()[0] ?? await context.newPage();
  const browser = context.browser();

  let closed = null;
  async function close() {
    if (closed) return closed;
    closed = (async () => {
      try {
        await context.close();
      } finally {
        dog.release();
        await rm(profile, { recursive: true, force: true, maxRetries: 3 });
        liveDirs.delete(profile);
      }
    })();
    return closed;
  }
  return { browser, context, page, close };
}

/**
 * Collects everything on a page that a clean page must not produce:
 * console errors, uncaught exceptions and Content-Security-Policy
 * violations (from the securitypolicyviolation event and from Chromium's
 * console report of them). Call `assertClean()` at the end of a test.
 *
 * @param {import('playwright-core').Page} page
 * @param {object} [options]
 * @param {RegExp[]} [options.ignore] messages to tolerate (keep this short)
 */
export async function watchPage(page, { ignore = [] } = {}) {
  const problems = [];
  const record = (kind, text) => {
    if (ignore.some((re) => re.test(text))) return;
    problems.push({ kind, text, url: page.url() });
  };

  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    const where = loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
    const kind = /Content Security Policy/i.test(msg.text()) ? 'csp' : 'console.error';
    record(kind, `${msg.text()}${where}`);
  });
  page.on('pageerror', (error) => record('pageerror', error.stack || String(error)));
  page.on('crash', () => record('crash', 'the page crashed'));

  // CSP violations as the page sees them; the binding and the listener are
  // installed through the DevTools protocol, so the page's CSP does not stop them.
  await page.exposeBinding('__tillitCspViolation', (_source, v) => {
    record('csp', `${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'}` +
      ` at ${v.sourceFile || v.documentURI}:${v.lineNumber}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__tillitCspViolation({
        effectiveDirective: e.effectiveDirective,
        blockedURI: e.blockedURI,
        sourceFile: e.sourceFile,
        documentURI: e.documentURI,
        lineNumber: e.lineNumber,
      });
    });
  });

  return {
    problems,
    /** Forgets what has been collected so far. */
    clear() { problems.length = 0; },
    /**
     * Forgets the problems seen so far that match `re`, e.g. the console error Chromium logs
     * for a page answered with the expected 4xx status; throws when none matched.
     */
    expected(re) {
      const kept = problems.filter((p) => !re.test(p.text));
      if (kept.length === problems.length) {
        throw new assert.AssertionError({ message: `expected a console message matching ${re}, saw none` });
      }
      problems.splice(0, problems.length, ...kept);
    },
    /**
     * Throws an AssertionError listing every problem seen since the last
     * check, and forgets them (so one bad page fails one test, not all after it).
     */
    assertClean(label = 'page') {
      if (problems.length === 0) return;
      const seen = problems.splice(0);
      const list = seen.map((p) => `  [${p.kind}] ${p.text}\n      on ${p.url}`).join('\n');
      throw new assert.AssertionError({
        message: `${label}: ${seen.length} console error(s) or CSP violation(s):\n${list}`,
        actual: seen,
        expected: [],
        operator: 'deepStrictEqual',
      });
    },
  };
}

/**
 * What every page must have: <html lang> set, exactly one <h1> that is
 * visible and not empty, and a <title>.
 */
export async function assertPageBasics(page, { lang } = {}) {
  const where = page.url();
  const htmlLang = await page.locator('html').getAttribute('lang');
  assert.ok(htmlLang && htmlLang.trim() !== '', `<html lang> is not set on ${where}`);
  if (lang) assert.equal(htmlLang, lang, `<html lang> on ${where}`);
  const h1 = page.locator('h1');
  assert.equal(await h1.count(), 1, `expected exactly one <h1> on ${where}`);
  assert.ok(await h1.isVisible(), `the <h1> on ${where} is not visible`);
  assert.ok((await h1.innerText()).trim() !== '', `the <h1> on ${where} is empty`);
  assert.ok((await page.title()).trim() !== '', `no <title> on ${where}`);
}

/** Full-page screenshot to tests/browser/test-results/NAME.png; returns the path. */
export async function screenshot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ----- accounts and signing in ------------------------------------------------------------------

export function runTillit(args) {
  const bin = tillitBin();
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: INIT_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`tillit ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stdout}${stderr}`));
      } else {
        resolve(`${stdout}${stderr}`);
      }
    });
  });
}

/**
 * Creates an account with the CLI, which acts as the local operator: no second
 * administrator has to approve anything.
 *
 * @param {{dataDir: string}} tillit what startTillit() returned
 * @param {object} account
 * @param {string} account.username
 * @param {string} [account.name] display name (default: the user name)
 * @param {'business'|'admin'} [account.kind]
 * @param {string[]} [account.roles] e.g. ['auditor'], ['admin']
 * @returns {Promise<{username: string, setupCode: string}>}
 */
export async function createAccount(tillit, { username, name = username, kind = 'business', roles = [] }) {
  const args = ['user', 'add', username, '--data', tillit.dataDir, '--name', name, '--kind', kind];
  for (const role of roles) args.push('--role', role);
  const output = await runTillit(args);
  const match = /setup code:\s*([A-Z0-9-]+)/.exec(output);
  if (!match) throw new Error(`no setup code in the output of tillit user add:\n${output}`);
  return { username, setupCode: match[1] };
}

/** Decodes RFC 4648 base32 (upper or lower case, padding and spaces ignored). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${JSON.stringify(text)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const TOTP_STEP_SECONDS = 30;

/** The 30-second time step at `timeMs`. */
export function totpStep(timeMs = Date.now()) {
  return Math.floor(timeMs / 1000 / TOTP_STEP_SECONDS);
}

/**
 * RFC 6238 TOTP (HMAC-SHA1, 30-s steps, dynamic truncation) for a base32 secret.
 * @returns {string} the code, zero-padded to `digits`
 */
export function totp(secretBase32, { step = totpStep(), digits = 6 } = {}) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * A TOTP step this account has not used yet. The server accepts each step
 * once per account (replay protection), so when the current one is used up
 * this waits for the next.
 */
async function freshStep(lastStep) {
  for (;;) {
    const step = totpStep();
    // Stay clear of the end of a step, so the code is still current when it arrives.
    const left = (step + 1) * TOTP_STEP_SECONDS * 1000 - Date.now();
    if (step > (lastStep ?? -1) && left > 2_000) return step;
    await new Promise((resolve) => setTimeout(resolve, left + 50));
  }
}

/** A password the policy accepts: 14+ characters, four kinds, not a common one, not the name. */
export function newPassword() {
  return `Aa1!${randomBytes(9).toString('base64url')}-Tillit`;
}

function loginUrl(baseUrl, path, lang) {
  const url = new URL(path, baseUrl);
  if (lang) url.searchParams.set('lang', lang);
  return url.href;
}

// Labels and buttons of the sign-in pages in Swedish (the browser's language) and English.
const SIGN_IN_WORDS = {
  sv: {
    useSetupCode: /engångskod från administratören/, username: 'Användarnamn', password: 'Lösenord',
    setupCode: 'Engångskod', code: 'Engångskod', newPassword: 'Nytt lösenord',
    repeat: 'Upprepa det nya lösenordet', continue: 'Fortsätt', save: 'Spara lösenordet',
    verify: 'Verifiera', signIn: 'Logga in', signedIn: 'Du är inloggad', signOut: 'Logga ut',
  },
  en: {
    useSetupCode: /setup code from your administrator/, username: 'User name', password: 'Password',
    setupCode: 'Setup code', code: 'One-time code', newPassword: 'New password',
    repeat: 'Repeat the new password', continue: 'Continue', save: 'Save the password',
    verify: 'Verify', signIn: 'Sign in', signedIn: 'You are signed in', signOut: 'Sign out',
  },
};

async function signedInPage(page, words) {
  await page.getByRole('heading', { level: 1, name: words.signedIn }).waitFor();
  const history = {};
  const terms = page.locator('dl.sign-in-history dt');
  for (let i = 0; i < await terms.count(); i += 1) {
    const term = (await terms.nth(i).innerText()).trim();
    history[term] = (await terms.nth(i).locator('xpath=following-sibling::dd[1]').innerText()).trim();
  }
  const recoveryCodes = (await page.locator('ul.recovery-codes li').allInnerTexts()).map((c) => c.trim());
  return { history, recoveryCodes };
}

/**
 * The first sign-in of an account, as its owner does it in the browser:
 * /login -> "use a setup code" -> user name and setup code -> a new password
 * -> the authenticator page (QR code and the secret in code.totp-secret) ->
 * a TOTP code computed here -> "signed in" with recovery codes and a
 * continue link. Leaves the page on the "signed in" page.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} baseUrl
 * @param {{username: string, setupCode: string}} account
 * @param {object} [options]
 * @param {string} [options.password] the password to choose (default: a new random one)
 * @param {'sv'|'en'} [options.lang] the page language (default: the browser's, Swedish)
 * @returns {Promise<{username: string, password: string, secret: string, lastStep: number,
 *   qrVisible: boolean, recoveryCodes: string[], history: Record<string, string>}>}
 *   pass the result to signInAgain(); history maps the "signed in" page's terms to values.
 */
export async function signIn(page, baseUrl, { username, setupCode }, { password = newPassword(), lang } = {}) {
  const words = SIGN_IN_WORDS[lang ?? 'sv'];
  await page.goto(loginUrl(baseUrl, '/login', lang));
  await page.getByRole('link', { name: words.useSetupCode }).click();
  await page.waitForURL(/\/login\/setup-code/);
  await page.getByLabel(words.username, { exact: true }).fill(username);
  await page.getByLabel(words.setupCode, { exact: true }).fill(setupCode);
  await page.getByRole('button', { name: words.continue }).click();
  await page.waitForURL(/\/login\/password/);
  await page.getByLabel(words.newPassword, { exact: true }).fill(password);
  await page.getByLabel(words.repeat, { exact: true }).fill(password);
  await page.getByRole('button', { name: words.save }).click();
  await page.waitForURL(/\/login\/enrol/);
  const secret = (await page.locator('code.totp-secret').innerText()).trim();
  const qrVisible = await page.locator('figure.enrolment svg').isVisible();
  const step = await freshStep(-1);
  await page.getByLabel(words.code, { exact: true }).fill(totp(secret, { step }));
  await page.getByRole('button', { name: words.verify }).click();
  const { history, recoveryCodes } = await signedInPage(page, words);
  return { username, password, secret, lastStep: step, qrVisible, recoveryCodes, history };
}

/**
 * A later sign-in: user name and password on /login, then a TOTP code on
 * /login/code. Waits for a TOTP step the account has not used (up to 30 s).
 * Updates `account.lastStep`. Leaves the page on the "signed in" page.
 *
 * @returns {Promise<{history: Record<string, string>}>}
 */
export async function signInAgain(page, baseUrl, account, { lang } = {}) {
  const words = SIGN_IN_WORDS[lang ?? 'sv'];
  await page.goto(loginUrl(baseUrl, '/login', lang));
  await page.getByLabel(words.username, { exact: true }).fill(account.username);
  await page.getByLabel(words.password, { exact: true }).fill(account.password);
  await page.getByRole('button', { name: words.signIn }).click();
  await page.waitForURL(/\/login\/code/);
  const step = await freshStep(account.lastStep);
  await page.getByLabel(words.code, { exact: true }).fill(totp(account.secret, { step }));
  await page.getByRole('button', { name: words.verify }).click();
  const { history } = await signedInPage(page, words);
  account.lastStep = step;
  return { history };
}

/** Presses the header's sign-out button and waits for the sign-in page. */
export async function signOut(page, { lang } = {}) {
  const words = SIGN_IN_WORDS[lang ?? 'sv'];
  await page.getByRole('banner').getByRole('button', { name: words.signOut }).click();
  await page.waitForURL(/\/login(\?|$)/);
}

/**
 * Accessibility smoke test of a page's forms and tables: every visible input,
 * select and textarea has an accessible name from a <label> (or aria-label /
 * aria-labelledby), every aria-describedby points at an element that exists,
 * every button has a name, and every table has a caption and column headers
 * with scope.
 */
export async function assertFormsLabelled(page) {
  const where = page.url();
  const problems = await page.evaluate(() => {
    const out = [];
    const describe = (el) => `<${el.tagName.toLowerCase()} id="${el.id}" name="${el.getAttribute('name') ?? ''}">`;
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const labelled = (el.labels && [...el.labels].some((l) => l.textContent.trim() !== '')) ||
        (el.getAttribute('aria-label') ?? '').trim() !== '' || el.hasAttribute('aria-labelledby');
      if (!labelled) out.push(`no label for ${describe(el)}`);
    }
    for (const el of document.querySelectorAll('[aria-describedby]')) {
      for (const id of el.getAttribute('aria-describedby').split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) out.push(`${describe(el)} is described by missing #${id}`);
      }
    }
    for (const el of document.querySelectorAll('button')) {
      if (el.textContent.trim() === '' && !el.getAttribute('aria-label')) out.push(`a button without a name`);
    }
    for (const table of document.querySelectorAll('table')) {
      if (!table.querySelector('caption') || table.querySelector('caption').textContent.trim() === '') {
        out.push('a table without a caption');
      }
      for (const th of table.querySelectorAll('thead th')) {
        if (th.getAttribute('scope') !== 'col') out.push(`a column header without scope="col": ${th.textContent.trim()}`);
      }
    }
    const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
    const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dup.length) out.push(`duplicate ids: ${[...new Set(dup)].join(', ')}`);
    return out;
  });
  assert.deepEqual(problems, [], `accessibility problems on ${where}`);
}
