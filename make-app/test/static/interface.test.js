'use strict';
// Interface fields and samples agree: every sample field is declared, every declared field has a
// sample value of the declared type, all the way down the receipt.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadApp, code } = require('../support/load-app');
const { appDir } = require('../support/paths');
const { interfaceProblems } = require('../support/checks');

const app = loadApp(appDir());

test('samples match the interface of every module', () => {
  assert.deepEqual(interfaceProblems(app), []);
});

test('the route interface declares the flat fields first, then the receipt', () => {
  const names = code(app, 'module', 'routeToBestAi', 'interface').map((f) => f.name);
  assert.deepEqual(names, [
    'id', 'answer', 'output', 'model', 'provider', 'task_type', 'cost_usd', 'estimated_cost_usd', 'baseline_cost_usd',
    'savings_usd', 'latency_ms', 'fallback_used', 'dry_run', 'usage', 'receipt',
  ]);
  const receipt = code(app, 'module', 'routeToBestAi', 'interface').find((f) => f.name === 'receipt');
  assert.deepEqual(receipt.spec.map((f) => f.name), [
    'strategy', 'task', 'reason', 'chosen', 'candidates', 'excluded', 'attempts', 'constraints', 'rules_applied',
  ]);
});

test('the Explain Routing sample is a dry run', () => {
  const sample = code(app, 'module', 'explainRouting', 'samples');
  assert.equal(sample.dry_run, true);
  assert.equal(sample.answer, null);
});
