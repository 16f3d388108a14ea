'use strict';
// A fresh install with no API key yet does not require one (docs/api.md, Authentication). Make's
// connection form still asks for a key, so whatever the user types must work there. Runs through
// test/support/engine.js, an APPROXIMATION of Make's engine (see modules.test.js).
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadApp } = require('../support/load-app');
const { appDir } = require('../support/paths');
const { startStack } = require('../support/live-stack');
const { scenario } = require('../support/scenario');

const app = loadApp(appDir());
let stack;
let make;

test.before(async () => {
  stack = await startStack({ noKeys: true });
  assert.equal(stack.api_key, null);
  make = scenario(app, stack);
});
test.after(async () => {
  if (stack) await stack.stop();
});

test('on a server without keys, the connection and a dry run work with any key', async () => {
  const conn = make.connection({ apiKey: 'anything' });
  const { metadata } = await make.verify(conn);
  assert.match(metadata.value, /\(\d+ models\)$/);
  const out = (await make.run('explainRouting', { task: 'Say hello.' }, conn)).bundles[0];
  assert.equal(out.dry_run, true);
});
