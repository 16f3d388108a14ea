'use strict';

// What the test files need from the live stack: its URLs and keys, Zapier bundles that point at
// it, the admin API (keys with tiny budgets or rpm) and the fake upstream's failure switch.

const fs = require('node:fs');

const live = () => {
  const file = process.env.BESTROUTE_LIVE_FILE;
  if (!file) throw new Error('BESTROUTE_LIVE_FILE is not set: run the tests through `npm test`.');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
};

const bundle = (inputData = {}, authData = {}) => {
  const info = live();
  return {
    authData: { base_url: info.base_url, api_key: info.api_key, ...authData },
    inputData,
  };
};

const postJson = async (url, body, token) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch (_err) {
    data = text;
  }
  return { status: response.status, data };
};

// POST /v1/admin/keys -> the new key's secret.
const createKey = async (body) => {
  const info = live();
  const { status, data } = await postJson(`${info.base_url}/v1/admin/keys`, body, info.admin_key);
  if (status !== 201) throw new Error(`creating a key failed: ${status} ${JSON.stringify(data)}`);
  return data.key;
};

// Tells the fake LLM upstream to misbehave (see tests/support/live_stack.py).
const upstreamControl = async (body) => {
  const info = live();
  const { status, data } = await postJson(`${info.upstream_url}/_control`, body);
  if (status >= 300) throw new Error(`upstream control failed: ${status} ${JSON.stringify(data)}`);
  return data;
};

// zapier-platform-core serialises its error classes as JSON in `message`.
const zapierError = async (promise) => {
  let error;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  if (!error) throw new Error('expected the Zapier call to fail, it succeeded');
  let details = {};
  try {
    details = JSON.parse(error.message);
  } catch (_err) {
    details = { message: error.message };
  }
  return { name: error.name, ...details };
};

module.exports = { live, bundle, createKey, upstreamControl, zapierError, postJson };
