'use strict';
// The app against the live service's OpenAPI document: the request bodies the modules build
// validate against RouteRequest, the mappable fields carry RouteRequest's names, options and
// ranges, and the interfaces declare exactly the fields of RouteResponse and ModelPublic.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadApp, code, generalCode, components } = require('../support/load-app');
const { appDir } = require('../support/paths');
const { startStack } = require('../support/live-stack');
const { loadOpenApi, objectProps } = require('../support/openapi');
const { renderBody } = require('../support/engine');
const { fillForm } = require('../support/form');
const { expressions, variablePaths } = require('../support/iml');

const app = loadApp(appDir());
let stack;
let api;

test.before(async () => {
  stack = await startStack();
  api = await loadOpenApi(stack.base_url);
});
test.after(async () => {
  if (stack) await stack.stop();
});

// Every field filled, as a user who opened every advanced setting would.
const FULL = {
  task: 'Extract the customer name from: "Hi, this is Ada Lovelace."',
  system: 'Answer in JSON.',
  strategy: 'cheapest',
  task_type: 'summarization_extraction',
  constraints: {
    max_cost_usd: 0.05,
    max_latency_ms: 30000,
    allowed_providers: ['openai', 'anthropic'],
    blocked_providers: ['gemini'],
    allowed_models: ['openai/gpt-5-mini', 'anthropic/claude-haiku-4-5'],
    blocked_models: ['openai/gpt-5'],
    required_capabilities: ['json_schema'],
    min_quality: 0.5,
  },
  response_format: {
    type: 'json_schema',
    schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  },
  max_output_tokens: 200,
  temperature: 0.2,
  metadata: [{ key: 'scenario', value: 'crm' }, { key: 'step', value: '3' }],
};
const MINIMAL = { task: 'Say hello.' };

for (const moduleId of ['routeToBestAi', 'explainRouting']) {
  for (const [label, values] of [['every field', FULL], ['only the task', MINIMAL]]) {
    test(`${moduleId}: the body built from ${label} validates against RouteRequest`, () => {
      const form = fillForm(code(app, 'module', moduleId, 'mappableParams'), values);
      assert.deepEqual(form.problems, []);
      const body = renderBody(app, 'module', moduleId, form.values, {});
      assert.deepEqual(api.check(api.requestSchema('post', '/v1/route'), body), []);
      assert.equal(body.dry_run, moduleId === 'explainRouting');
      if (values === FULL) {
        assert.deepEqual(body.metadata, { scenario: 'crm', step: '3' });
        assert.deepEqual(body.constraints, FULL.constraints);
      } else {
        assert.deepEqual(Object.keys(body).sort(), ['dry_run', 'task', 'task_type']);
      }
    });
  }
}

test('mappable parameters use RouteRequest\'s field names, options and ranges', () => {
  const request = api.resolve(api.requestSchema('post', '/v1/route'));
  const params = code(app, 'module', 'routeToBestAi', 'mappableParams');
  const constraintsSchema = objectProps(api, request.properties.constraints);
  const check = (defs, schema, where) => {
    for (const def of defs) {
      const prop = schema.properties[def.name];
      assert.ok(prop, `${where}${def.name} is not a field of the service`);
      const leaves = flatten(api, prop);
      const enumValues = leaves.flatMap((s) => s.enum || (s.const !== undefined ? [s.const] : []));
      const itemEnums = leaves.flatMap((s) => (s.items && api.resolve(s.items).enum) || []);
      if (def.type === 'select' && Array.isArray(def.options)) {
        const values = def.options.map((o) => o.value).sort();
        assert.deepEqual(values, (def.multiple ? itemEnums : enumValues).sort(), `${where}${def.name} options`);
      }
      const num = leaves.find((s) => s.type === 'number' || s.type === 'integer');
      if (num && def.validate) {
        // Make's `min` is inclusive: an exclusive integer bound of 0 is a min of 1; an exclusive
        // number bound stays (0 passes the form, and the service answers with a DataError).
        let lo = num.minimum;
        if (lo === undefined && num.exclusiveMinimum !== undefined) {
          lo = num.type === 'integer' ? num.exclusiveMinimum + 1 : num.exclusiveMinimum;
        }
        if (lo !== undefined) assert.equal(def.validate.min, lo, `${where}${def.name} minimum`);
        if (num.maximum !== undefined) assert.equal(def.validate.max, num.maximum, `${where}${def.name} maximum`);
      }
    }
  };
  check(params.filter((p) => !['constraints', 'response_format'].includes(p.name)), request, '');
  check(params.find((p) => p.name === 'constraints').spec, constraintsSchema, 'constraints.');
  check(params.find((p) => p.name === 'response_format').spec, objectProps(api, request.properties.response_format), 'response_format.');
  // Every constraint the service knows is offered in the module.
  assert.deepEqual(
    params.find((p) => p.name === 'constraints').spec.map((p) => p.name).sort(),
    Object.keys(constraintsSchema.properties).sort(),
  );
});

function flatten(api, schema) {
  const s = api.resolve(schema);
  if (s.anyOf) return s.anyOf.flatMap((x) => flatten(api, x));
  return [s];
}

/** Field names of the interface vs the schema, recursively where both sides describe objects. */
function compareFields(defs, schema, where, problems) {
  const props = objectProps(api, schema);
  if (!props) return;
  const declared = defs.map((d) => d.name).sort();
  const served = Object.keys(props.properties).sort();
  for (const name of served) if (!declared.includes(name)) problems.push(`${where}${name} is returned but not in the interface`);
  for (const name of declared) if (!served.includes(name)) problems.push(`${where}${name} is in the interface but not returned`);
  for (const def of defs) {
    const prop = props.properties[def.name];
    if (!prop || !Array.isArray(def.spec)) continue;
    const inner = flatten(api, prop).find((s) => s.type === 'array' || s.type === 'object' || s.properties) || {};
    if (def.type === 'array' && inner.items) compareFields(def.spec, inner.items, `${where}${def.name}[].`, problems);
    if (def.type === 'collection' && inner.properties) compareFields(def.spec, inner, `${where}${def.name}.`, problems);
  }
}

test('the route interfaces declare exactly the fields of RouteResponse, receipt included', () => {
  for (const moduleId of ['routeToBestAi', 'explainRouting']) {
    const problems = [];
    compareFields(code(app, 'module', moduleId, 'interface'), api.responseSchema('post', '/v1/route'), '', problems);
    assert.deepEqual(problems, [], moduleId);
  }
  // The receipt's `constraints` is an open object in the schema; the interface spells out the
  // fields of the Constraints model, which the receipt echoes.
  const receipt = code(app, 'module', 'routeToBestAi', 'interface').find((f) => f.name === 'receipt');
  const echoed = receipt.spec.find((f) => f.name === 'constraints').spec.map((f) => f.name).sort();
  assert.deepEqual(echoed, Object.keys(api.defs.Constraints.properties).sort());
});

test('the List Models interface declares exactly the fields of ModelPublic', () => {
  const list = api.resolve(api.responseSchema('get', '/v1/models'));
  const problems = [];
  compareFields(code(app, 'module', 'listModels', 'interface'), list.properties.data.items, '', problems);
  assert.deepEqual(problems, []);
});

test('the samples validate against the service\'s response schemas', () => {
  for (const moduleId of ['routeToBestAi', 'explainRouting']) {
    assert.deepEqual(api.check(api.responseSchema('post', '/v1/route'), code(app, 'module', moduleId, 'samples')), [], moduleId);
  }
  const list = api.resolve(api.responseSchema('get', '/v1/models'));
  assert.deepEqual(api.check(list.properties.data.items, code(app, 'module', 'listModels', 'samples')), []);
});

/** Resolves a dotted path (`data.provider`) through a schema; null when a segment is unknown. */
function schemaAt(schema, dotted) {
  let s = schema;
  for (const part of dotted.split('.').filter(Boolean)) {
    const obj = objectProps(api, s);
    if (!obj || !obj.properties[part]) return null;
    s = obj.properties[part];
    const arr = flatten(api, s).find((x) => x.type === 'array');
    if (arr && arr.items) s = arr.items; // `body.data` is iterated: what follows is an item's field
  }
  return s;
}

test('every response field the app reads (body.x, item.x) exists in the service\'s schemas', () => {
  const problem = api.defs.Problem;
  const models = api.responseSchema('get', '/v1/models');
  const reads = (value) => expressions(value).flatMap((e) => variablePaths(e));
  const missing = [];
  // Errors: the base and the connection read the problem+json body.
  const errorDirectives = [generalCode(app, 'base').response.error, code(app, 'connection', 'bestroute', 'communication').response.error];
  for (const p of errorDirectives.flatMap(reads)) {
    if (p.startsWith('body.') && !schemaAt(problem, p.slice(5))) missing.push(`error directive reads ${p}`);
  }
  // Everything that calls GET /v1/models reads its list and items.
  const listCallers = [
    ['connection', 'bestroute'],
    ...components(app, 'rpc').map(([id]) => ['rpc', id]),
    ['module', 'listModels'],
  ];
  for (const [type, id] of listCallers) {
    const comm = code(app, type, id, 'communication');
    assert.match(comm.url, /\/v1\/models$/);
    for (const p of reads({ ...comm.response, error: undefined })) {
      if (p.startsWith('body.') && !schemaAt(models, p.slice(5))) missing.push(`${type} ${id} reads ${p}`);
      if (p.startsWith('item.') && !schemaAt(api.defs.ModelPublic, p.slice(5))) missing.push(`${type} ${id} reads ${p}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('collections left empty (Make then sends {}) still make a valid request', () => {
  const form = fillForm(code(app, 'module', 'routeToBestAi', 'mappableParams'), { task: 'Hi' });
  const body = renderBody(app, 'module', 'routeToBestAi', { ...form.values, constraints: {}, response_format: { type: 'text' } }, {});
  assert.deepEqual(body.constraints, {});
  assert.deepEqual(api.check(api.requestSchema('post', '/v1/route'), body), []);
});
