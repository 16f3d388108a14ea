'use strict';

const zapier = require('zapier-platform-core');
const App = require('../index');
const sample = require('../samples/explain.json');
const { bundle } = require('./support/live');

const appTester = zapier.createAppTester(App);
const perform = App.creates.explain.operation.perform;

describe('create: Explain Routing (dry run)', () => {
  test('decides and explains without calling a model', async () => {
    const result = await appTester(perform, bundle({ task: 'Prove that the square root of 2 is irrational.' }));
    expect(result.dry_run).toBe(true);
    expect(result.answer).toBeNull();
    expect(result.cost_usd).toBe(0);
    expect(result.receipt.attempts).toEqual([]);
    expect(result.model).toBe(result.receipt.chosen);
    expect(result.receipt.candidates[0].model).toBe(result.model);
    expect(result.receipt.reason.length).toBeGreaterThan(10);
    expect(result.estimated_cost_usd).toBeGreaterThan(0);
  });

  test('honours the strategy and the task type it is given', async () => {
    const result = await appTester(
      perform,
      bundle({ task: 'def add(a, b): return a - b  # fix the bug', strategy: 'best', task_type: 'code' }),
    );
    expect(result.receipt.strategy).toBe('best');
    expect(result.task_type).toBe('code');
    expect(result.receipt.task.type).toBe('code');
  });

  test('predicts the model that Route to Best AI then uses', async () => {
    const task = 'Translate "thank you very much" to Spanish.';
    const plan = await appTester(perform, bundle({ task }));
    const result = await appTester(App.creates.route.operation.perform, bundle({ task }));
    expect(result.fallback_used).toBe(false);
    expect(plan.model).toBe(result.model);
    expect(plan.receipt.excluded.map((e) => e.model)).toEqual(result.receipt.excluded.map((e) => e.model));
  });

  test('its sample has the shape of a real dry run', async () => {
    const result = await appTester(perform, bundle({ task: 'What is the capital of Peru?' }));
    expect(Object.keys(sample).sort()).toEqual(Object.keys(result).sort());
    expect(sample.dry_run).toBe(true);
    expect(sample.answer).toBeNull();
  });
});
