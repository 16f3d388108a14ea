'use strict';

const zapier = require('zapier-platform-core');
const App = require('../index');
const { bundle, live } = require('./support/live');

const appTester = zapier.createAppTester(App);

const fieldsWith = (dynamic) =>
  App.creates.route.operation.inputFields.filter((f) => f.dynamic === dynamic).map((f) => f.key);

describe('hidden triggers behind the model and provider dropdowns', () => {
  test('model: one choice per catalog model, its id being the model name', async () => {
    const models = await appTester(App.triggers.model.operation.perform, bundle());
    const catalog = await (
      await fetch(`${live().base_url}/v1/models`, { headers: { authorization: `Bearer ${live().api_key}` } })
    ).json();
    expect(models.map((m) => m.id)).toEqual(catalog.data.map((m) => m.model));
    for (const m of models) expect(m.id).toBe(m.model);
    expect(fieldsWith('model.id.model')).toEqual(['constraints__allowed_models', 'constraints__blocked_models']);
  });

  test('provider: the distinct providers of the catalog, each with its model count', async () => {
    const models = await appTester(App.triggers.model.operation.perform, bundle());
    const providers = await appTester(App.triggers.provider.operation.perform, bundle());
    const expected = [...new Set(models.map((m) => m.provider))].sort();
    expect(providers.map((p) => p.id)).toEqual(expected);
    for (const p of providers) {
      expect(p.models).toBe(models.filter((m) => m.provider === p.provider).length);
    }
    expect(fieldsWith('provider.id.provider')).toEqual([
      'constraints__allowed_providers',
      'constraints__blocked_providers',
    ]);
  });

  test('a provider picked from the dropdown constrains the route', async () => {
    const providers = await appTester(App.triggers.provider.operation.perform, bundle());
    const pick = providers.find((p) => p.available) || providers[0];
    const result = await appTester(
      App.creates.explain.operation.perform,
      bundle({ task: 'Say hi.', constraints__allowed_providers: [pick.id] }),
    );
    expect(result.provider).toBe(pick.id);
    for (const c of result.receipt.candidates) expect(c.provider).toBe(pick.id);
  });
});
