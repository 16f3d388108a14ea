'use strict';
// Cross-references Make only checks at deploy or run time: connection ids, rpc:// options,
// groups, and every IML variable ({{parameters.x}}, {{connection.x}}) against what is declared.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadApp, code, generalCode } = require('../support/load-app');
const { appDir } = require('../support/paths');
const { referenceProblems, helpProblems } = require('../support/checks');

const app = loadApp(appDir());

test('connection, rpc:// and group references resolve, and every IML variable is declared', () => {
  assert.deepEqual(referenceProblems(app), []);
});

test('every parameter has a label and a help text', () => {
  assert.deepEqual(helpProblems(app), []);
});

test('the base owns the base URL, the Bearer header, log sanitising and error types', () => {
  const base = generalCode(app, 'base');
  assert.equal(base.baseUrl, '{{connection.baseUrl}}');
  assert.equal(base.headers.Authorization, 'Bearer {{connection.apiKey}}');
  assert.ok(base.log.sanitize.includes('request.headers.authorization'));
  const err = base.response.error;
  assert.equal(err['401'].type, 'InvalidAccessTokenError');
  assert.equal(err['429'].type, 'RateLimitError');
  assert.equal(err['422'].type, 'DataError');
  for (const spec of [err, ...Object.values(err).filter((v) => typeof v === 'object')]) {
    assert.match(spec.message, /body\.detail/, 'every error message shows the service\'s detail');
  }
});

test('the connection verifies with GET /v1/models and hides the key in logs', () => {
  const comm = code(app, 'connection', 'bestroute', 'communication');
  assert.equal(comm.url, '{{parameters.baseUrl}}/v1/models');
  assert.equal(comm.method, 'GET');
  assert.equal(comm.headers.Authorization, 'Bearer {{parameters.apiKey}}');
  assert.ok(comm.log.sanitize.includes('request.headers.authorization'));
  const params = code(app, 'connection', 'bestroute', 'params');
  assert.equal(params.find((p) => p.name === 'apiKey').type, 'password');
});

test('modules and RPCs use relative URLs so the base URL applies', () => {
  for (const [type, ids] of [['module', ['routeToBestAi', 'explainRouting', 'listModels']], ['rpc', ['listModelOptions', 'listProviderOptions']]]) {
    for (const id of ids) assert.match(code(app, type, id, 'communication').url, /^\/v1\//, `${type} ${id}`);
  }
});

test('Route to Best AI and Explain Routing share their fields and differ only in dry_run', () => {
  for (const codeType of ['mappableParams', 'interface']) {
    assert.deepEqual(code(app, 'module', 'explainRouting', codeType), code(app, 'module', 'routeToBestAi', codeType), codeType);
  }
  const route = code(app, 'module', 'routeToBestAi', 'communication');
  const explain = code(app, 'module', 'explainRouting', 'communication');
  assert.equal(route.body.dry_run, false);
  assert.equal(explain.body.dry_run, true);
  assert.deepEqual({ ...explain.body, dry_run: false }, route.body);
});

test('mappable parameters carry the service\'s field names', () => {
  const names = code(app, 'module', 'routeToBestAi', 'mappableParams').map((p) => p.name);
  assert.deepEqual(names, [
    'task', 'system', 'strategy', 'task_type', 'constraints', 'response_format', 'max_output_tokens', 'temperature', 'metadata',
  ]);
  const constraints = code(app, 'module', 'routeToBestAi', 'mappableParams').find((p) => p.name === 'constraints');
  assert.deepEqual(constraints.spec.map((p) => p.name), [
    'max_cost_usd', 'max_latency_ms', 'allowed_providers', 'blocked_providers', 'allowed_models', 'blocked_models',
    'required_capabilities', 'min_quality',
  ]);
  const byName = Object.fromEntries(constraints.spec.map((p) => [p.name, p]));
  assert.equal(byName.allowed_models.options, 'rpc://listModelOptions');
  assert.equal(byName.allowed_providers.options, 'rpc://listProviderOptions');
});
