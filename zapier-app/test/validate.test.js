'use strict';

// The platform's own schema validation, offline: the same routine `zapier-platform validate`
// runs (ci.sh also runs the CLI itself).

const zapier = require('zapier-platform-core');
const App = require('../index');

const validate = async (app) => (await zapier.createAppHandler(app)({ command: 'validate' })).results;

describe('app definition', () => {
  test('passes Zapier schema validation', async () => {
    expect(await validate(App)).toEqual([]);
  });

  test('the validation really checks (a broken copy fails)', async () => {
    const route = App.creates.route;
    const broken = {
      ...App,
      creates: {
        ...App.creates,
        route: { ...route, operation: { ...route.operation, inputFields: [{ key: 'x', group: 'missing' }] } },
      },
    };
    const errors = await validate(broken);
    expect(errors.map((e) => e.property)).toContain('instance.creates.route.operation.inputFields[0].group');
  });

  test('every dynamic dropdown points at a hidden trigger of this app', () => {
    for (const create of Object.values(App.creates)) {
      for (const field of create.operation.inputFields.filter((f) => f.dynamic)) {
        const [trigger, id, label] = field.dynamic.split('.');
        expect(App.triggers[trigger]).toBeDefined();
        expect(App.triggers[trigger].display.hidden).toBe(true);
        expect(App.triggers[trigger].operation.sample).toHaveProperty(id);
        expect(App.triggers[trigger].operation.sample).toHaveProperty(label);
      }
    }
  });

  test("the default deadline fits inside Zapier's 30 s action limit", () => {
    const field = App.creates.route.operation.inputFields.find((f) => f.key === 'constraints__max_latency_ms');
    expect(Number(field.default)).toBeLessThan(30000);
  });

  test('input keys are the service field names (nested with __)', () => {
    const serviceNames = [
      'task', 'system', 'strategy', 'task_type', 'constraints', 'response_format',
      'max_output_tokens', 'temperature', 'metadata',
    ];
    const roots = App.creates.route.operation.inputFields.map((f) => f.key.split('__')[0]);
    expect([...new Set(roots)]).toEqual(serviceNames);
  });
});
