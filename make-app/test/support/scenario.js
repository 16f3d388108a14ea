'use strict';
// What a Make user does, scripted: fill a module's form (defaults applied, values validated like
// Make's form), run it with a connection, get bundles or a Make error.
const assert = require('node:assert/strict');
const { code } = require('./load-app');
const { fillForm } = require('./form');
const { runComponent, verifyConnection, MakeError } = require('./engine');

function scenario(app, stack) {
  const connection = (overrides = {}) => ({ baseUrl: stack.base_url, apiKey: stack.api_key, ...overrides });

  /** Fills the module's form and runs it; asserts the form accepted the values. */
  async function run(moduleId, values = {}, conn = connection()) {
    const defs = [...code(app, 'module', moduleId, 'staticParams'), ...code(app, 'module', moduleId, 'mappableParams')];
    const form = fillForm(defs, values);
    assert.deepEqual(form.problems, [], `the ${moduleId} form rejected ${JSON.stringify(values)}`);
    return runComponent(app, 'module', moduleId, { parameters: form.values, connection: conn });
  }

  async function rpc(rpcId, conn = connection()) {
    return runComponent(app, 'rpc', rpcId, { parameters: {}, connection: conn });
  }

  async function verify(conn = connection()) {
    const form = fillForm(code(app, 'connection', 'bestroute', 'params'), conn);
    assert.deepEqual(form.problems, []);
    return verifyConnection(app, 'bestroute', form.values);
  }

  /** Runs and expects a Make error; returns it. */
  async function fails(promise) {
    try {
      await promise;
    } catch (err) {
      if (err instanceof MakeError) return err;
      throw err;
    }
    assert.fail('expected the module to fail with a Make error');
  }

  return { connection, run, rpc, verify, fails };
}

/** The fake upstream's name for a catalog model: `openai/gpt-5-mini` -> `gpt-5-mini`. */
const upstreamName = (model) => model.split('/').pop();

async function catalog(stack) {
  const res = await fetch(`${stack.base_url}/v1/models`, { headers: { authorization: `Bearer ${stack.api_key}` } });
  assert.equal(res.status, 200);
  return (await res.json()).data;
}

/** The key must never appear anywhere in what Make would log. */
function assertKeyHidden(log, key) {
  const text = JSON.stringify(log);
  assert.ok(!text.includes(key), 'the API key appears in the log');
  assert.match(log.request.headers.Authorization || log.request.headers.authorization, /^\*+$/);
}

module.exports = { scenario, upstreamName, catalog, assertKeyHidden };
