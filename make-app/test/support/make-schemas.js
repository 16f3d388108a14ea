'use strict';
// Validates app files against Make's official JSON Schemas (from its VS Code extension), picking the
// schema by file name exactly as the extension's `contributes.jsonValidation` does.
const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const { schemasDir } = require('./paths');

// File-name suffix -> schema file (the table in make-app-schemas/README.md). First match wins.
const SCHEMA_BY_SUFFIX = [
  ['.params.iml.json', 'parameters.json'],
  ['.mappable-params.iml.json', 'parameters.json'],
  ['.static-params.iml.json', 'parameters.json'],
  ['.interface.iml.json', 'parameters.json'],
  ['.oauth-communication.iml.json', 'api-oauth.json'],
  ['.communication.iml.json', 'api.json'],
  ['.attach.iml.json', 'api.json'],
  ['.detach.iml.json', 'api.json'],
  ['.publish.iml.json', 'api.json'],
  ['.samples.iml.json', 'samples.json'],
  ['.epoch.iml.json', 'epoch.json'],
  ['.scope-list.iml.json', 'scopes.json'],
  ['.default-scope.iml.json', 'scope.json'],
  ['.required-scope.iml.json', 'scope.json'],
];
const SCHEMA_BY_NAME = {
  'base.iml.json': 'base.json',
  'common.json': 'common.json',
  'groups.json': 'groups.json',
  'makecomapp.json': 'makecomapp.schema.json',
};

function schemaFor(fileName) {
  const base = path.basename(fileName);
  if (SCHEMA_BY_NAME[base]) return SCHEMA_BY_NAME[base];
  // Longest suffix first, so `.mappable-params` is not taken for `.params`.
  const hits = SCHEMA_BY_SUFFIX.filter(([suffix]) => base.endsWith(suffix));
  hits.sort((a, b) => b[0].length - a[0].length);
  return hits.length ? hits[0][1] : null;
}

let cached;
function validator() {
  if (cached) return cached;
  const dir = schemasDir();
  // The README's notes: ajv 8 needs strict:false and unicodeRegExp:false, and every schema must be
  // registered under its file name before one is compiled (they refer to each other by name).
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
  addFormats(ajv);
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (!names.includes('makecomapp.schema.json')) {
    throw new Error(`Make's schemas are not in ${dir} (set MAKE_APP_SCHEMAS_DIR)`);
  }
  for (const name of names) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    delete schema.$schema; // draft-07 is Ajv's default; the meta-schema URL is not fetched.
    ajv.addSchema(schema, name);
  }
  const compiled = new Map();
  cached = (schemaName, data) => {
    if (!compiled.has(schemaName)) compiled.set(schemaName, ajv.getSchema(schemaName));
    const validate = compiled.get(schemaName);
    if (!validate) throw new Error(`schema ${schemaName} is not registered`);
    const ok = validate(data);
    return ok ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
  };
  return cached;
}

/** Schema problems of one parsed file, as strings naming the file. */
function validateFile(rel, data) {
  const schemaName = schemaFor(rel);
  if (!schemaName) return [];
  return validator()(schemaName, data).map((msg) => `${rel} (${schemaName}): ${msg}`);
}

module.exports = { schemaFor, validateFile };
