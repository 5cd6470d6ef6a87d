// The harness checks itself: a watcher that never fires, or a server that
// is not really stopped, would make every UI test worthless.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  startTillit, launchBrowser, watchPage, tillitBin, parseSetupCode, base32Decode, totp, totpStep,
} from '../harness.js';

describe('harness', { timeout: 120_000 }, () => {
  it('explains a missing or unusable TILLIT_BIN', () => {
    assert.throws(() => tillitBin({}), /TILLIT_BIN is not set/);
    const notExecutable = fileURLToPath(new URL('../package.json', import.meta.url));
    assert.throws(() => tillitBin({ TILLIT_BIN: notExecutable }), /is not an executable file/);
    assert.throws(() => tillitBin({ TILLIT_BIN: '/nonexistent/tillit' }), /is not an executable file/);
  });

  it('reads the setup code from the output of tillit init', () => {
    const output = "Then open https://localhost:8443/ and sign in as 'admin' with this one-time setup code:\n" +
      '\n    S4SGE-23H8H-TNQVG-DVDFH\n\nThe code is shown only now';
    assert.equal(parseSetupCode(output), 'S4SGE-23H8H-TNQVG-DVDFH');
    assert.equal(parseSetupCode('nothing here'), null);
  });

  it('computes TOTP codes as RFC 6238 (appendix B, SHA-1) does', () => {
    assert.equal(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').toString(), '12345678901234567890');
    assert.equal(base32Decode('mzxw6ytb').toString(), 'fooba');
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    for (const [seconds, code] of [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
      [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']]) {
      assert.equal(totp(secret, { step: totpStep(seconds * 1000), digits: 8 }), code, `T = ${seconds}`);
    }
    assert.equal(totp(secret, { step: totpStep(59_000) }), '287082', 'six digits are the last six');
  });

  it('reports the server stderr when tillit serve exits before listening', async () => {
    await assert.rejects(startTillit({ serveArgs: ['--no-such-option'] }),
      /exited \(\d+\) before it was listening[\s\S]*stderr:[\s\S]*no-such-option/);
  });

  describe('with a running server and browser', () => {
    let tillit;
    let browser;

    before(async () => {
      tillit = await startTillit();
      browser = await launchBrowser();
    });
    after(async () => {
      try {
        await browser?.close();
      } finally {
        await tillit?.stop();
      }
    });

    it('startTillit returns a setup code, an https base URL and the data directory', () => {
      assert.match(tillit.setupCode, /^[A-Z0-9]+(-[A-Z0-9]+)+$/);
      assert.match(tillit.baseUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      assert.ok(existsSync(tillit.dataDir));
    });

    it('the watcher catches a CSP violation and a console error, then forgets them', async () => {
      const { page } = browser;
      const watch = await watchPage(page, { ignore: [/favicon\.ico/] });
      await page.goto(tillit.baseUrl);
      watch.assertClean('a clean page');

      // An inline script is exactly what the server's CSP forbids.
      await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.body.append(script);
      });
      await page.waitForTimeout(200); // let the violation event arrive
      assert.equal(await page.evaluate(() => window.inlineRan), undefined, 'the inline script was blocked');
      assert.ok(watch.problems.some((p) => p.kind === 'csp'), JSON.stringify(watch.problems));

      await page.evaluate(() => console.error('something broke'));
      await page.waitForTimeout(100);
      assert.ok(watch.problems.some((p) => p.kind === 'console.error' && /something broke/.test(p.text)));

      assert.throws(() => watch.assertClean('this page'), /CSP violation|console error/);
      watch.assertClean('after the failed check');
    });

    it('stop() ends the server and removes its data directory', async () => {
      const own = await startTillit();
      await own.stop();
      assert.throws(() => process.kill(own.pid, 0), { code: 'ESRCH' });
      assert.equal(existsSync(own.dataDir), false);
      await own.stop(); // a second stop is harmless
    });
  });
});
