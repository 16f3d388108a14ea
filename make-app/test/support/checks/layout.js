'use strict';
// Schema and layout checks: every file against Make's JSON Schema for its kind, Make's id rules,
// the folder layout of the VS Code extension, and no file Make would never see.
const fs = require('node:fs');
const path = require('node:path');
const { validateFile } = require('../make-schemas');
const { components } = require('../load-app');

// Make's own ID rules (from its VS Code extension): modules and RPCs are camelCase, 4-48 chars.
const ID_RULES = { module: /^[a-zA-Z][0-9a-zA-Z]{3,47}$/, rpc: /^[a-zA-Z][0-9a-zA-Z]{3,47}$/ };
// The extension's file names: `<type>s/<kebab-id>/<kebab-id>.<code>.<ext>`.
const CODE_FILE_NAMES = {
  communication: 'communication.iml.json',
  params: 'params.iml.json',
  staticParams: 'static-params.iml.json',
  mappableParams: 'mappable-params.iml.json',
  interface: 'interface.iml.json',
  samples: 'samples.iml.json',
};
const REQUIRED_CODES = {
  connection: ['communication', 'params'],
  module: ['communication', 'staticParams', 'mappableParams', 'interface', 'samples'],
  rpc: ['communication', 'params'],
};
// Files in the app folder that are not part of the Make app.
const NOT_APP = new Set(['package.json', 'package-lock.json', 'eslint.config.js', 'README.md', 'ci.sh', '.gitignore']);
const NOT_APP_DIRS = new Set(['node_modules', 'test', 'scripts', '.secrets']);

const kebab = (id) => id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

function schemaProblems(app) {
  const problems = [...app.problems];
  if (!app.manifest) return problems;
  problems.push(...validateFile('makecomapp.json', app.manifest));
  for (const file of app.files) if (file.json !== undefined) problems.push(...validateFile(file.rel, file.json));
  return problems;
}

function listFiles(dir, rel = '') {
  const out = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!(rel === '' && NOT_APP_DIRS.has(entry.name))) out.push(...listFiles(dir, child));
    } else if (!(rel === '' && (NOT_APP.has(entry.name) || entry.name === 'makecomapp.json'))) {
      out.push(child);
    }
  }
  return out;
}

function layoutProblems(app) {
  const problems = [];
  if (!app.manifest) return ['makecomapp.json is unreadable'];
  for (const type of ['module', 'rpc']) {
    for (const [id] of components(app, type)) {
      if (!ID_RULES[type].test(id)) problems.push(`makecomapp.json: ${type} id "${id}" breaks Make's id rule ${ID_RULES[type]}`);
    }
  }
  for (const [type, required] of Object.entries(REQUIRED_CODES)) {
    for (const [id, meta] of components(app, type)) {
      const files = (meta && meta.codeFiles) || {};
      for (const codeType of required) {
        if (!files[codeType]) problems.push(`makecomapp.json: ${type} ${id} has no ${codeType} file`);
      }
      for (const [codeType, rel] of Object.entries(files)) {
        const expected = `${type}s/${kebab(id)}/${kebab(id)}.${CODE_FILE_NAMES[codeType]}`;
        if (CODE_FILE_NAMES[codeType] && rel !== expected) {
          problems.push(`makecomapp.json: ${type} ${id} ${codeType} should be ${expected} (Make's layout), not ${rel}`);
        }
      }
    }
  }
  const referenced = new Set(app.files.map((f) => f.rel));
  for (const rel of listFiles(app.dir)) {
    if (!referenced.has(rel)) problems.push(`${rel}: not referenced from makecomapp.json (Make would never see it)`);
  }
  return problems;
}

module.exports = { schemaProblems, layoutProblems };
