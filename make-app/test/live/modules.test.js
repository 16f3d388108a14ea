'use strict';
/*
 * The connection, the three modules and the two dropdown RPCs executed against a live BestRoute
 * (real server, fake LLM upstream). Make's engine is not published: these runs go through
 * test/support/engine.js + iml.js, which APPROXIMATE Make's engine for the directives and IML the
 * app uses (base merge, IML rendering with empty fields dropped, iterate/limit/output, error
 * directive, log sanitising). They prove the requests and response mappings work against the
 * real service; they do not prove Make's engine renders them identically.
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadApp, code } = require('../support/load-app');
const { appDir } = require('../support/paths');
const { startStack } = require('../support/live-stack');
const { compareToInterface } = require('../support/checks');
const { fillForm } = require('../support/form');
const { scenario, catalog, upstreamName, assertKeyHidden } = require('../support/scenario');

const app = loadApp(appDir());
let stack;
let make;
let models;

test.before(async () => {
  stack = await startStack();
  make = scenario(app, stack);
  models = await catalog(stack);
});
test.after(async () => {
  if (stack) await stack.stop();
});

const TASK = 'Summarise in one line: the Q3 report is due Friday and numbers go to Ana by Wednesday.';

function assertMatchesInterface(moduleId, bundle) {
  const iface = code(app, 'module', moduleId, 'interface');
  // Top-level fields are always returned; nested objects may leave out what is unset
  // (e.g. the receipt echoes only the constraints given).
  assert.deepEqual(compareToInterface(iface, bundle, moduleId, { requireAll: false }), []);
  for (const field of iface) assert.ok(field.name in bundle, `${moduleId} output lacks ${field.name}`);
}

test('the connection verifies with GET /v1/models and its log hides the key', async () => {
  const { metadata, log } = await make.verify();
  assert.equal(log.request.method, 'GET');
  assert.equal(log.request.url, `${stack.base_url}/v1/models`);
  assert.equal(log.response.status, 200);
  assert.equal(metadata.value, `${stack.base_url} (${models.length} models)`);
  assertKeyHidden(log, stack.api_key);
});

test('a wrong key fails the connection with InvalidAccessTokenError and the service\'s detail', async () => {
  const err = await make.fails(make.verify(make.connection({ apiKey: 'br-wrong' })));
  assert.equal(err.type, 'InvalidAccessTokenError');
  assert.equal(err.statusCode, 401);
  assert.equal(err.message, `[401] ${err.log.response.body.detail}`);
  assert.ok(err.log.response.body.detail.length > 0);
  assertKeyHidden(err.log, 'br-wrong');
});

test('a Base URL that is not a BestRoute API fails the connection with InvalidConfigurationError', async () => {
  // A wrong path on the BestRoute server: 404.
  const notFound = await make.fails(make.verify(make.connection({ baseUrl: `${stack.base_url}/api` })));
  assert.equal(notFound.type, 'InvalidConfigurationError');
  assert.equal(notFound.message, `[404] There is no BestRoute API at ${stack.base_url}/api. Enter the server's address without /v1 and without a trailing slash.`);
  // Another OpenAI-style server (here the fake upstream) answers 200 without BestRoute's catalog.
  const other = await make.fails(make.verify(make.connection({ baseUrl: stack.upstream_url })));
  assert.equal(other.type, 'InvalidConfigurationError');
  assert.match(other.message, /not with BestRoute's model catalog/);
  assertKeyHidden(other.log, stack.api_key);
});

test('the connection form refuses a Base URL with a trailing slash, /v1 or no scheme', () => {
  const defs = code(app, 'connection', 'bestroute', 'params');
  for (const bad of [`${stack.base_url}/`, `${stack.base_url}/v1`, '127.0.0.1:8000']) {
    assert.notDeepEqual(fillForm(defs, { baseUrl: bad, apiKey: 'k' }).problems, [], bad);
  }
  assert.deepEqual(fillForm(defs, { baseUrl: 'https://bestroute.example.com/api', apiKey: 'k' }).problems, []);
});

test('the model dropdown offers every catalog model and flags those without credentials', async () => {
  const { bundles, log } = await make.rpc('listModelOptions');
  assert.deepEqual(bundles.map((o) => o.value), models.map((m) => m.model));
  for (const [i, m] of models.entries()) {
    assert.equal(bundles[i].label, m.available ? m.model : `${m.model} (no credentials)`);
  }
  assertKeyHidden(log, stack.api_key);
});

test('the provider dropdown offers each provider once', async () => {
  const { bundles } = await make.rpc('listProviderOptions');
  const providers = [...new Set(models.map((m) => m.provider))];
  assert.deepEqual(bundles, providers.map((p) => ({ label: p, value: p })));
});

test('Route to Best AI answers with the chosen model and a receipt that matches the interface', async () => {
  const { bundles, log, sentBody } = await make.run('routeToBestAi', { task: TASK });
  assert.equal(bundles.length, 1);
  const out = bundles[0];
  assert.deepEqual(sentBody, { task: TASK, task_type: 'auto', dry_run: false });
  assert.equal(out.receipt.strategy, 'balanced', 'no strategy sent: the key\'s or server\'s default applies');
  assert.equal(out.dry_run, false);
  assert.equal(typeof out.answer, 'string');
  assert.ok(out.answer.includes(`[${upstreamName(out.model)}]`), 'the fake upstream names the model it was asked for');
  assert.equal(out.receipt.chosen, out.model);
  assert.equal(out.receipt.attempts.at(-1).status, 'ok');
  assert.ok(out.usage.output_tokens > 0);
  assertMatchesInterface('routeToBestAi', out);
  assertKeyHidden(log, stack.api_key);
});

test('with Strategy left empty, the API key\'s default strategy applies', async () => {
  const { key } = await stack.createKey({ name: 'make-cheapest', default_strategy: 'cheapest' });
  const out = (await make.run('explainRouting', { task: TASK }, make.connection({ apiKey: key }))).bundles[0];
  assert.equal(out.receipt.strategy, 'cheapest');
  const chosen = (await make.run('explainRouting', { task: TASK, strategy: 'best' }, make.connection({ apiKey: key }))).bundles[0];
  assert.equal(chosen.receipt.strategy, 'best', 'a strategy picked in the module wins over the key\'s default');
});

test('values picked from the dropdowns work as constraints, and metadata is accepted', async () => {
  const modelOptions = (await make.rpc('listModelOptions')).bundles;
  const providerOptions = (await make.rpc('listProviderOptions')).bundles;
  const available = models.filter((m) => m.available);
  const pick = available[available.length - 1].model;
  const provider = models.find((m) => m.model === pick).provider;
  assert.ok(modelOptions.some((o) => o.value === pick));
  assert.ok(providerOptions.some((o) => o.value === provider));
  const { bundles, sentBody } = await make.run('routeToBestAi', {
    task: TASK,
    strategy: 'cheapest',
    task_type: 'summarization_extraction',
    constraints: { allowed_models: [pick], allowed_providers: [provider] },
    max_output_tokens: 300,
    temperature: 0.3,
    metadata: [{ key: 'scenario', value: 'make-tests' }],
  });
  assert.deepEqual(sentBody.metadata, { scenario: 'make-tests' });
  const out = bundles[0];
  assert.equal(out.model, pick);
  assert.equal(out.provider, provider);
  assert.equal(out.task_type, 'summarization_extraction');
  assert.equal(out.receipt.strategy, 'cheapest');
  assert.deepEqual(out.receipt.constraints.allowed_models, [pick]);
  assert.ok(out.receipt.excluded.length >= models.length - 1);
  assertMatchesInterface('routeToBestAi', out);
});

test('a JSON-schema response format comes back parsed in Output', async () => {
  const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
  const { bundles } = await make.run('routeToBestAi', {
    task: 'Extract the customer name from: "Hi, this is Ada Lovelace."',
    response_format: { type: 'json_schema', schema },
  });
  const out = bundles[0];
  assert.equal(typeof out.output, 'object');
  assert.equal(typeof out.output.name, 'string');
  assert.deepEqual(JSON.parse(out.answer), out.output);
});

test('when the chosen model fails, BestRoute falls back and the receipt shows the failed attempt', async () => {
  const values = { task: TASK, constraints: { allowed_providers: ['openai', 'anthropic', 'deepseek'] } };
  const planned = (await make.run('explainRouting', values)).bundles[0].model;
  await stack.control({ model: upstreamName(planned), mode: 'error', status: 500, times: 1 });
  try {
    const out = (await make.run('routeToBestAi', values)).bundles[0];
    assert.equal(out.fallback_used, true);
    assert.notEqual(out.model, planned);
    assert.equal(out.receipt.attempts[0].model, planned);
    assert.equal(out.receipt.attempts[0].status, 'error');
    assert.equal(out.receipt.attempts.at(-1).status, 'ok');
    assert.ok(out.answer.includes(`[${upstreamName(out.model)}]`));
    assertMatchesInterface('routeToBestAi', out);
  } finally {
    await stack.control({ reset: true });
  }
});

test('Explain Routing returns the decision and estimate without calling a model', async () => {
  // Constrained to providers the stack has credentials for: a dry run also ranks models whose
  // provider has no credentials (the service does this on purpose, so a dry run works with no
  // keys), and unconstrained it may name one that the real call then excludes.
  const values = { task: TASK, constraints: { allowed_providers: ['openai', 'deepseek'] } };
  const { bundles, sentBody } = await make.run('explainRouting', values);
  assert.equal(sentBody.dry_run, true);
  const out = bundles[0];
  assert.equal(out.dry_run, true);
  assert.equal(out.answer, null);
  assert.equal(out.cost_usd, 0);
  assert.deepEqual(out.receipt.attempts, []);
  assert.ok(out.estimated_cost_usd > 0);
  assertMatchesInterface('explainRouting', out);
  // The same input routed for real picks the model the dry run named.
  const real = (await make.run('routeToBestAi', values)).bundles[0];
  assert.equal(real.model, out.model);
});

test('List Models returns one bundle per catalog model, shaped like the interface', async () => {
  const { bundles } = await make.run('listModels');
  assert.deepEqual(bundles.map((b) => b.model), models.map((m) => m.model));
  for (const b of bundles) {
    assert.deepEqual(compareToInterface(code(app, 'module', 'listModels', 'interface'), b, b.model), []);
  }
});

test('List Models filters by the provider picked from the dropdown and honours the limit', async () => {
  const provider = (await make.rpc('listProviderOptions')).bundles[0].value;
  const expected = models.filter((m) => m.provider === provider).map((m) => m.model);
  const filtered = (await make.run('listModels', { provider })).bundles;
  assert.deepEqual(filtered.map((b) => b.model), expected);
  const limited = (await make.run('listModels', { limit: 2 })).bundles;
  assert.deepEqual(limited.map((b) => b.model), models.slice(0, 2).map((m) => m.model));
});
