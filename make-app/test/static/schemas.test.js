'use strict';
// Every file of the app validates against Make's official JSON Schema for its kind, and the
// folder follows the layout Make's VS Code extension reads and deploys.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadApp } = require('../support/load-app');
const { appDir } = require('../support/paths');
const { schemaFor } = require('../support/make-schemas');
const { schemaProblems, layoutProblems } = require('../support/checks');

const app = loadApp(appDir());

test('makecomapp.json and every code file it names parse and exist', () => {
  assert.deepEqual(app.problems, []);
  assert.ok(app.files.length >= 20, `expected the full app, found ${app.files.length} files`);
});

test('every JSON file of the app has a schema in Make\'s table', () => {
  const unmatched = app.files.filter((f) => /\.json$/.test(f.rel) && !schemaFor(f.rel)).map((f) => f.rel);
  assert.deepEqual(unmatched, []);
});

test('every file validates against Make\'s JSON Schemas', () => {
  assert.deepEqual(schemaProblems(app), []);
});

test('ids and file layout follow Make\'s local-development format', () => {
  assert.deepEqual(layoutProblems(app), []);
});

test('the app declares the connection, three modules and the dropdown RPCs', () => {
  const c = app.manifest.components;
  assert.deepEqual(Object.keys(c.connection), ['bestroute']);
  assert.equal(c.connection.bestroute.connectionType, 'basic');
  assert.deepEqual(
    Object.fromEntries(Object.entries(c.module).map(([id, m]) => [id, m.moduleType])),
    { routeToBestAi: 'action', explainRouting: 'action', listModels: 'search' },
  );
  assert.deepEqual(Object.keys(c.rpc).sort(), ['listModelOptions', 'listProviderOptions']);
});
