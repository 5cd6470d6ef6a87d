// A real SMTP server (the `smtp-server` package of the nodemailer project) on loopback, for
// Tillit's mail tests. It offers STARTTLS with a certificate the test generates, optionally
// requires a sign-in (AUTH PLAIN/LOGIN, only after STARTTLS), and writes every message it
// accepts to a directory, one pair of files per message:
//
//   NNNN.eml   the message exactly as received (RFC 5322, CRLF)
//   NNNN.json  the envelope: {"from": ..., "to": [...], "secure": true|false, "user": ...}
//
// `secure` says whether the session was TLS when the message arrived (STARTTLS used).
// The .json file is written last, so a reader that sees it finds the .eml complete.
//
//   node server.mjs --cert FILE --key FILE --dir DIR [--port N] [--user NAME --password-file FILE]
//                   [--reject-rcpt ADDRESS] [--no-starttls]
//
// --reject-rcpt answers 550 for that recipient (a permanent refusal); --no-starttls offers no
// STARTTLS (a client that requires TLS must refuse to go on). Prints exactly one line on
// stdout, "ready PORT", once it listens; diagnostics go to stderr. SIGTERM and SIGINT close it.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { SMTPServer } from 'smtp-server';

function fail(message) {
  process.stderr.write(`server.mjs: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    cert: { type: 'string' },
    key: { type: 'string' },
    dir: { type: 'string' },
    user: { type: 'string' },
    'password-file': { type: 'string' },
    'reject-rcpt': { type: 'string' },
    'no-starttls': { type: 'boolean', default: false },
  },
  strict: true,
});
if (!values.cert || !values.key || !values.dir) fail('--cert, --key and --dir are required');
const password = values['password-file'] ? readFileSync(values['password-file'], 'utf8').trim() : null;
if (values.user && !password) fail('--user needs --password-file');

let count = 0;
const server = new SMTPServer({
  key: readFileSync(values.key),
  cert: readFileSync(values.cert),
  minVersion: 'TLSv1.2',
  hideSTARTTLS: values['no-starttls'],
  authOptional: !values.user,
  authMethods: ['PLAIN', 'LOGIN'],
  allowInsecureAuth: false,
  logger: false,
  onAuth(auth, session, callback) {
    if (auth.username === values.user && auth.password === password) return callback(null, { user: auth.username });
    return callback(new Error('535 5.7.8 Authentication credentials invalid'));
  },
  onRcptTo(address, session, callback) {
    if (values['reject-rcpt'] && address.address === values['reject-rcpt']) {
      const err = new Error('No such user here');
      err.responseCode = 550;
      return callback(err);
    }
    return callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      count += 1;
      const name = String(count).padStart(4, '0');
      writeFileSync(join(values.dir, `${name}.eml`), Buffer.concat(chunks));
      const envelope = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        to: session.envelope.rcptTo.map((r) => r.address),
        secure: Boolean(session.secure),
        user: session.user ?? null,
      };
      // Written under a temporary name and renamed: the reader never sees half a file.
      writeFileSync(join(values.dir, `.${name}.json`), JSON.stringify(envelope));
      renameSync(join(values.dir, `.${name}.json`), join(values.dir, `${name}.json`));
      callback(null, `Message queued as tillit-test-${name}`);
    });
  },
});
server.on('error', (err) => process.stderr.write(`server.mjs: ${err.message}\n`));

server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`ready ${server.server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
