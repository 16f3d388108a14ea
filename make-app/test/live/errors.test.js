'use strict';
/*
 * The service's problem+json answers, turned into Make errors by the base's `response.error`
 * directive: the message is the service's `detail`, the type follows the status (401
 * InvalidAccessTokenError, 429 RateLimitError, 400/413/422 DataError, others RuntimeError).
 * Runs through test/support/engine.js, an APPROXIMATION of Make's engine (see modules.test.js).
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadApp } = require('../support/load-app');
const { appDir } = require('../support/paths');
const { startStack } = require('../support/live-stack');
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

/** The Make error carries the status, the problem type and the service's own detail. */
function assertProblem(err, { status, type, problem }) {
  const body = err.log.response.body;
  assert.equal(err.statusCode, status);
  assert.equal(err.type, type);
  assert.equal(body.type, `/problems/${problem}`);
  assert.ok(typeof body.detail === 'string' && body.detail.length > 0, 'the service sent a detail');
  assert.equal(err.message, `[${status}] ${body.detail}`);
}

test('constraints that exclude every model: DataError with the service\'s detail', async () => {
  const err = await make.fails(make.run('routeToBestAi', { task: 'Hello', constraints: { max_cost_usd: 0.0000001 } }));
  assertProblem(err, { status: 422, type: 'DataError', problem: 'no-eligible-model' });
  assert.match(err.message, /max_cost_usd/);
  assertKeyHidden(err.log, stack.api_key);
});

test('a value the form allows but the service rejects: DataError naming the field', async () => {
  // Make's `min` is inclusive, so 0 passes the form; the service wants more than 0.
  const err = await make.fails(make.run('explainRouting', { task: 'Hello', constraints: { max_cost_usd: 0 } }));
  assertProblem(err, { status: 422, type: 'DataError', problem: 'invalid-field' });
  assert.match(err.message, /constraints\.max_cost_usd/);
});

test('a task larger than the server accepts: DataError', async () => {
  // The server answers 413 from the Content-Length and closes the connection without reading the
  // body, so the client sometimes sees the socket reset ("fetch failed") before it reads the 413.
  // (13 of 20 plain fetches failed that way here.) Reported to the service; a transport failure
  // is retried, the mapping is asserted strictly.
  let err;
  for (let attempt = 1; !err; attempt += 1) {
    try {
      err = await make.fails(make.run('routeToBestAi', { task: 'a'.repeat(4_300_000) }));
    } catch (e) {
      if (attempt >= 20 || !(e instanceof TypeError)) throw e;
    }
  }
  assertProblem(err, { status: 413, type: 'DataError', problem: 'body-too-large' });
});

test('a model name the catalog does not know (typed instead of picked): DataError naming it', async () => {
  const err = await make.fails(make.run('routeToBestAi', { task: 'Hello', constraints: { allowed_models: ['acme/unknown-1'] } }));
  assertProblem(err, { status: 422, type: 'DataError', problem: 'invalid-field' });
  assert.match(err.message, /acme\/unknown-1/);
});

test('a wrong key on a module: InvalidAccessTokenError, key hidden', async () => {
  const err = await make.fails(make.run('listModels', {}, make.connection({ apiKey: 'br-not-a-key' })));
  assertProblem(err, { status: 401, type: 'InvalidAccessTokenError', problem: 'unauthorized' });
  assertKeyHidden(err.log, 'br-not-a-key');
});

test('every attempt failing: RuntimeError with the service\'s detail', async () => {
  const only = models.find((m) => m.available).model;
  await stack.control({ model: upstreamName(only), mode: 'error', status: 500, times: 100 });
  try {
    const err = await make.fails(make.run('routeToBestAi', { task: 'Hello', constraints: { allowed_models: [only] } }));
    assertProblem(err, { status: 502, type: 'RuntimeError', problem: 'all-attempts-failed' });
    assert.ok(err.log.response.body.attempts.length >= 1);
  } finally {
    await stack.control({ reset: true });
  }
});

test('a key whose requests per minute are used up: RateLimitError', async () => {
  const { key } = await stack.createKey({ name: 'make-rpm', rpm: 1 });
  const conn = make.connection({ apiKey: key });
  await make.run('explainRouting', { task: 'Hello' }, conn);
  const err = await make.fails(make.run('explainRouting', { task: 'Hello' }, conn));
  assertProblem(err, { status: 429, type: 'RateLimitError', problem: 'rate-limited' });
  assert.ok(err.log.response.headers['retry-after'], 'Retry-After header');
  assertKeyHidden(err.log, key);
});

test('a key whose budget is spent: RuntimeError with the service\'s detail', async () => {
  const { key } = await stack.createKey({ name: 'make-budget', budget_usd: 0.000001 });
  const conn = make.connection({ apiKey: key });
  // The first call may be allowed (nothing spent yet); it spends more than the budget.
  let err;
  for (let i = 0; i < 3 && !err; i += 1) {
    try {
      await make.run('routeToBestAi', { task: 'Hello' }, conn);
    } catch (e) {
      err = e;
    }
  }
  assert.ok(err, 'three calls on a spent budget all succeeded');
  assertProblem(err, { status: 402, type: 'RuntimeError', problem: 'budget-exhausted' });
});
