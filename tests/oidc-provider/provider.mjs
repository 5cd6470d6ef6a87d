// A real OpenID Connect provider (the `oidc-provider` package) on loopback, for Tillit's
// federated-login tests. It speaks HTTPS with a certificate the test generates, registers one
// confidential client, requires PKCE, and offers the Swedish eID assurance levels LoA2 and LoA3.
//
// Its login page is a plain HTML form so that a test can drive it without a browser: the test
// posts a username and the `acr` it wants the provider to issue. Letting the *test* choose the
// acr is deliberate: it is how a test obtains a correctly signed ID token at the wrong assurance
// level, which Tillit must refuse.
//
//   node provider.mjs --cert FILE --key FILE --client-id ID --client-secret-file FILE
//                     --redirect-uri URI [--port N] [--id-token-alg RS256|PS256|ES256]
//                     [--auth-method client_secret_basic|client_secret_post]
//
// Each option may instead come from the environment: OIDC_TEST_PORT, OIDC_TEST_CERT,
// OIDC_TEST_KEY, OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET_FILE, OIDC_TEST_REDIRECT_URI,
// OIDC_TEST_ID_TOKEN_ALG, OIDC_TEST_AUTH_METHOD. The secret is read from a file so that it never
// shows in a process listing. Port 0 (the default) lets the system choose.
//
// Prints exactly one line on stdout, "ready https://127.0.0.1:PORT", once it listens (the test
// waits for it and reads nothing more from stdout); diagnostics go to stderr. SIGTERM and SIGINT
// close the server and exit 0.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const LOA2 = 'http://id.elegnamnden.se/loa/1.0/loa2';
const LOA3 = 'http://id.elegnamnden.se/loa/1.0/loa3';
const PERSONAL_NUMBER_SCOPE = 'https://id.oidc.se/scope/naturalPersonNumber';
const PERSONAL_NUMBER_CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';

// Test people. The subject is an opaque, stable id that never changes for a person (Tillit
// links accounts by it); the personal identity number is a claim, never the subject. The
// numbers are made-up values for people born in 1900.
const ACCOUNTS = {
  alice: {
    sub: '5a1d7c2e-9b64-4f0e-8d3a-a11ce0000001',
    name: 'Alice Andersson',
    given_name: 'Alice',
    family_name: 'Andersson',
    email: 'alice@example.se',
    email_verified: true,
    [PERSONAL_NUMBER_CLAIM]: '190001019876',
  },
  bob: {
    sub: '5a1d7c2e-9b64-4f0e-8d3a-b0b000000002',
    name: 'Bob Berg',
    given_name: 'Bob',
    family_name: 'Berg',
    email: 'bob@example.se',
    email_verified: false,
  },
};

function fail(message) {
  process.stderr.write(`provider.mjs: ${message}\n`);
  process.exit(2);
}

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret-file': { type: 'string' },
      'redirect-uri': { type: 'string' },
      'id-token-alg': { type: 'string' },
      'auth-method': { type: 'string' },
    },
    strict: true,
  });
  const env = process.env;
  const o = {
    port: values.port ?? env.OIDC_TEST_PORT ?? '0',
    cert: values.cert ?? env.OIDC_TEST_CERT,
    key: values.key ?? env.OIDC_TEST_KEY,
    clientId: values['client-id'] ?? env.OIDC_TEST_CLIENT_ID,
    secretFile: values['client-secret-file'] ?? env.OIDC_TEST_CLIENT_SECRET_FILE,
    redirectUri: values['redirect-uri'] ?? env.OIDC_TEST_REDIRECT_URI,
    idTokenAlg: values['id-token-alg'] ?? env.OIDC_TEST_ID_TOKEN_ALG ?? 'RS256',
    authMethod: values['auth-method'] ?? env.OIDC_TEST_AUTH_METHOD ?? 'client_secret_basic',
  };
  for (const [name, value] of Object.entries({
    '--cert': o.cert, '--key': o.key, '--client-id': o.clientId,
    '--client-secret-file': o.secretFile, '--redirect-uri': o.redirectUri,
  })) {
    if (!value) fail(`${name} is required (see the comment at the top of provider.mjs)`);
  }
  if (!/^\d+$/.test(o.port) || Number(o.port) > 65535) fail(`--port must be 0..65535, not '${o.port}'`);
  if (!['RS256', 'PS256', 'ES256'].includes(o.idTokenAlg)) fail(`--id-token-alg must be RS256, PS256 or ES256`);
  if (!['client_secret_basic', 'client_secret_post'].includes(o.authMethod)) {
    fail('--auth-method must be client_secret_basic or client_secret_post');
  }
  o.secret = readFileSync(o.secretFile, 'utf8').trim();
  if (!o.secret) fail(`the client secret file '${o.secretFile}' is empty`);
  return o;
}

// Fresh signing keys for each run: one RSA key (RS256 and PS256) and one P-256 key (ES256).
function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: `rsa-${randomBytes(6).toString('hex')}`, use: 'sig' },
    { ...ec, kid: `ec-${randomBytes(6).toString('hex')}`, use: 'sig' },
  ];
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`
    + `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginForm(uid, params) {
  const acrOptions = [LOA3, LOA2].map((acr) => `<option value="${escapeHtml(acr)}">${escapeHtml(acr)}</option>`).join('');
  return page('Sign in (test identity provider)',
    `<p>Client: ${escapeHtml(params.client_id)}; requested acr: ${escapeHtml(params.acr_values ?? '(none)')}</p>`
    + `<form method="post" action="/interaction/${escapeHtml(uid)}/login">`
    + '<label>Username <input name="username" autocomplete="username"></label>'
    + `<label>Issue assurance level <select name="acr">${acrOptions}</select></label>`
    + '<button type="submit">Sign in</button></form>');
}

function consentForm(uid, details) {
  const scopes = (details.missingOIDCScope ?? []).join(' ');
  return page('Share your details?',
    `<p>Scopes: ${escapeHtml(scopes || '(none new)')}</p>`
    + `<form method="post" action="/interaction/${escapeHtml(uid)}/confirm">`
    + '<button type="submit">Continue</button></form>');
}

// The interaction routes: the provider redirects the browser to /interaction/UID whenever it
// needs a login or a consent, and our form posts come back here.
async function interaction(provider, req, res) {
  const url = new URL(req.url, 'https://localhost');
  const match = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/);
  if (!match) return send(res, 404, page('Not found', ''));
  const [, uid, action] = match;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Interaction mismatch', ''));
  const { prompt, params } = details;

  if (!action && req.method === 'GET') {
    if (prompt.name === 'login') return send(res, 200, loginForm(uid, params));
    if (prompt.name === 'consent') return send(res, 200, consentForm(uid, prompt.details));
    return send(res, 400, page(`Unknown prompt ${prompt.name}`, ''));
  }
  if (req.method !== 'POST') return send(res, 405, page('Method not allowed', ''));

  if (action === 'login') {
    const form = await readForm(req);
    const account = ACCOUNTS[form.get('username') ?? ''];
    if (!account) return send(res, 200, page('Unknown user', loginForm(uid, params)));
    const acr = form.get('acr') ?? LOA3;
    return provider.interactionFinished(req, res, {
      login: { accountId: account.sub, acr, amr: ['pwd', 'otp'], remember: false },
    }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    await readForm(req);
    const { accountId } = details.session;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return provider.interactionFinished(req, res, {
    error: 'access_denied', error_description: 'the user cancelled the sign-in',
  }, { mergeWithLastSubmission: false });
}

function configuration(o) {
  return {
    clients: [{
      client_id: o.clientId,
      client_secret: o.secret,
      redirect_uris: [o.redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: o.authMethod,
      id_token_signed_response_alg: o.idTokenAlg,
    }],
    jwks: { keys: signingKeys() },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    acrValues: [LOA2, LOA3],
    scopes: ['openid', 'profile', 'email', PERSONAL_NUMBER_SCOPE],
    claims: {
      openid: ['sub'],
      acr: null,
      auth_time: null,
      profile: ['name', 'given_name', 'family_name'],
      email: ['email', 'email_verified'],
      [PERSONAL_NUMBER_SCOPE]: [PERSONAL_NUMBER_CLAIM],
    },
    // As in the Swedish OIDC profile, the identity claims travel in the ID token itself.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
    findAccount: (ctx, sub) => {
      const account = Object.values(ACCOUNTS).find((a) => a.sub === sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ ...account }) };
    },
    interactions: { url: (ctx, i) => `/interaction/${i.uid}` },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<p>${escapeHtml(out.error)}: ${escapeHtml(out.error_description ?? '')}</p>`);
    },
  };
}

async function main() {
  const o = options();
  const server = createServer({
    cert: readFileSync(o.cert),
    key: readFileSync(o.key),
    minVersion: 'TLSv1.2',
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(o.port), '127.0.0.1', resolve);
  });
  const issuer = `https://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration(o));
  provider.on('server_error', (ctx, err) => process.stderr.write(`server_error: ${err.stack}\n`));
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((err) => {
        process.stderr.write(`interaction failed: ${err.message}\n`);
        if (!res.headersSent) send(res, 400, page('Interaction failed', `<p>${escapeHtml(err.message)}</p>`));
      });
    } else {
      handle(req, res);
    }
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`ready ${issuer}\n`);
}

main().catch((err) => fail(err.stack ?? String(err)));
