// node validate.mjs SCHEMA DOCUMENT: validates an OSCAL JSON document against a NIST OSCAL
// JSON schema (draft-07) with Ajv. Exit 0 valid, 1 invalid (every error printed), 2 usage.
//
// Ajv settings: strict off, because the NIST schemas use keywords and $id fragments Ajv's
// strict mode rejects while they are valid draft-07; unicodeRegExp on (the default), because
// the schemas' token patterns use \p{L} and \p{N}; ajv-formats for date-time, uri and
// uri-reference, which the schemas rely on besides their patterns.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const [schemaFile, documentFile] = process.argv.slice(2);
if (!schemaFile || !documentFile) {
  console.error('usage: node validate.mjs SCHEMA.json DOCUMENT.json');
  process.exit(2);
}
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
const document = JSON.parse(readFileSync(documentFile, 'utf8'));
if (validate(document)) {
  console.log('valid');
  process.exit(0);
}
for (const e of validate.errors) console.error(`${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
process.exit(1);
