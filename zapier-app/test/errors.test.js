'use strict';

// Each problem+json status of docs/api.md, produced by the live service, as the Zapier error
// that middleware/problem-to-error.js turns it into.

const zapier = require('zapier-platform-core');
const App = require('../index');
const { bundle, createKey, upstreamControl, zapierError } = require('./support/live');

const appTester = zapier.createAppTester(App);
const route = App.creates.route.operation.perform;
const explain = App.creates.explain.operation.perform;

afterEach(() => upstreamControl({ reset: true }));

describe('service errors become Zapier errors', () => {
  test('401 unauthorized -> AuthenticationError', async () => {
    const error = await zapierError(appTester(route, bundle({ task: 'hi' }, { api_key: 'br-wrong' })));
    expect(error).toMatchObject({ name: 'AppError', code: 'AuthenticationError', status: 401 });
    expect(error.message).toMatch(/^BestRoute rejected the API key: .+ Check the API key/);
  });

  test('402 budget-exhausted -> Error with the detail and the budget', async () => {
    const key = await createKey({ name: 'zapier-budget', budget_usd: 0.000001, rpm: 1000 });
    let error;
    for (let i = 0; i < 3 && !error; i += 1) {
      try {
        await appTester(route, bundle({ task: 'Write a long essay about rivers.' }, { api_key: key }));
      } catch (err) {
        error = await zapierError(Promise.reject(err));
      }
    }
    if (!error) throw new Error('the service never answered 402 to a key with a $0.000001 budget (3 paid calls)');
    expect(error).toMatchObject({ name: 'AppError', code: 'budget-exhausted', status: 402 });
    expect(error.message).toMatch(/budget/i);
  });

  test('422 no-eligible-model -> Error with the detail and why models were excluded', async () => {
    const error = await zapierError(
      appTester(route, bundle({ task: 'hi', constraints__max_cost_usd: 0.0000001 })),
    );
    expect(error).toMatchObject({ name: 'AppError', code: 'no-eligible-model', status: 422 });
    expect(error.message).toMatch(/^No eligible model: .*max_cost_usd/);
    expect(error.message).toMatch(/openai\/\S+|anthropic\/\S+/); // names excluded models and why
  });

  test('422 invalid-field -> Error naming the field', async () => {
    const error = await zapierError(
      appTester(route, bundle({ task: 'hi', temperature: 5, max_output_tokens: 0 })),
    );
    expect(error).toMatchObject({ name: 'AppError', code: 'invalid-field', status: 422 });
    // both fields are named, whether in the service's detail or in the list added to it
    expect(error.message).toMatch(/temperature: /);
    expect(error.message).toMatch(/max_output_tokens: /);
  });

  test('429 rate-limited -> ThrottledError with the Retry-After delay', async () => {
    const key = await createKey({ name: 'zapier-rpm', budget_usd: 100, rpm: 1 });
    const b = bundle({ task: 'hi' }, { api_key: key });
    await appTester(explain, b);
    const error = await zapierError(appTester(explain, b));
    expect(error.name).toBe('ThrottledError');
    expect(Number.isInteger(error.delay)).toBe(true);
    expect(error.delay).toBeGreaterThan(0);
    expect(error.delay).toBeLessThanOrEqual(60);
    expect(error.message).toMatch(/^Rate limit reached: .*per minute/); // the service's title and detail, not core's
  });

  test('502 all-attempts-failed -> Error listing the attempts', async () => {
    const { model } = await appTester(route, bundle({ task: 'hi' }));
    await upstreamControl({ model: model.split('/').pop(), mode: 'error', status: 500, times: 10 });
    const error = await zapierError(appTester(route, bundle({ task: 'hi', constraints__allowed_models: [model] })));
    expect(error).toMatchObject({ name: 'AppError', code: 'all-attempts-failed', status: 502 });
    expect(error.message).toMatch(/^Every attempt failed: /);
    expect(error.message).toContain(model);
  });
});
