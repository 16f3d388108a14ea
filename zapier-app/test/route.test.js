'use strict';

const zapier = require('zapier-platform-core');
const App = require('../index');
const sample = require('../samples/route.json');
const { bundle, upstreamControl } = require('./support/live');

const appTester = zapier.createAppTester(App);
const perform = App.creates.route.operation.perform;

// The fake upstream echoes the model it was asked for; BestRoute ids carry a provider prefix.
const upstreamName = (model) => model.split('/').pop();

// Resolves a Zapier output field key (`a__b`, `list[]field`) against a response.
const resolve = (data, key) => {
  const [head, rest] = key.split('[]');
  const object = head.split('__').reduce((node, part) => (node == null ? undefined : node[part]), data);
  if (rest === undefined) return object;
  return Array.isArray(object) ? object.map((item) => item[rest]) : undefined;
};

afterEach(() => upstreamControl({ reset: true }));

describe('create: Route to Best AI', () => {
  test('returns the answer of the model BestRoute chose, with its receipt', async () => {
    const result = await appTester(perform, bundle({ task: 'Write a haiku about autumn leaves.' }));
    expect(typeof result.model).toBe('string');
    expect(result.model.length).toBeGreaterThan(0);
    expect(result.answer).toContain(upstreamName(result.model));
    expect(result.dry_run).toBe(false);
    expect(result.fallback_used).toBe(false);
    expect(result.receipt.chosen).toBe(result.model);
    expect(result.receipt.attempts).toEqual([
      expect.objectContaining({ model: result.model, status: 'ok' }),
    ]);
    expect(result.usage.output_tokens).toBeGreaterThan(0);
    expect(typeof result.receipt.reason).toBe('string');
  });

  test('sends every input field under the service name (constraints, metadata, numbers as text)', async () => {
    const models = await appTester(App.triggers.model.operation.perform, bundle());
    const target = models.find((m) => m.available) || models[0];
    const result = await appTester(
      perform,
      bundle({
        task: 'Classify this ticket: "my invoice is wrong".',
        system: 'Answer with one word.',
        strategy: 'cheapest',
        task_type: 'classification',
        constraints__allowed_models: [target.model],
        constraints__max_cost_usd: '5',
        constraints__min_quality: '0',
        response_format__type: 'text',
        max_output_tokens: '64',
        temperature: '0.2',
        metadata: { zap: 'zapier-test', step: '2' },
      }),
    );
    expect(result.model).toBe(target.model);
    expect(result.answer).toContain(upstreamName(target.model));
    expect(result.task_type).toBe('classification');
    expect(result.receipt.strategy).toBe('cheapest');
    expect(result.receipt.constraints).toEqual(
      expect.objectContaining({ allowed_models: [target.model], max_cost_usd: 5 }),
    );
  });

  test('falls back to another model when the first choice fails', async () => {
    const task = 'Translate "good morning" to French.';
    const first = await appTester(perform, bundle({ task }));
    expect(first.receipt.candidates.length).toBeGreaterThan(1);
    await upstreamControl({ model: upstreamName(first.model), mode: 'error', status: 500, times: 1 });

    const result = await appTester(perform, bundle({ task }));
    expect(result.fallback_used).toBe(true);
    expect(result.model).not.toBe(first.model);
    expect(result.answer).toContain(upstreamName(result.model));
    expect(result.receipt.attempts.map((a) => [a.model, a.status])).toEqual([
      [first.model, 'error'],
      [result.model, 'ok'],
    ]);
  });

  test('a JSON schema gives the parsed answer as Structured Output', async () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const result = await appTester(
      perform,
      bundle({ task: 'Return {"n": 1}.', response_format__schema: JSON.stringify(schema) }),
    );
    expect(result.output).toEqual({ n: 1 });
    expect(JSON.parse(result.answer)).toEqual(result.output);
  });

  test('the sample and the output fields describe what the service really returns', async () => {
    const result = await appTester(perform, bundle({ task: 'Summarize: the cat sat on the mat.' }));
    expect(Object.keys(sample).sort()).toEqual(Object.keys(result).sort());
    expect(Object.keys(sample.receipt).sort()).toEqual(Object.keys(result.receipt).sort());
    for (const field of App.creates.route.operation.outputFields) {
      if (['output'].includes(field.key)) continue; // null unless response_format is json_schema
      const value = resolve(result, field.key);
      expect({ key: field.key, defined: value !== undefined }).toEqual({ key: field.key, defined: true });
    }
  });
});
