'use strict';

const { apiUrl, baseUrl } = require('./lib/api');

// The credential test named by the API contract: GET /v1/models (200 = valid, 401 = bad key).
// A 401 becomes a readable AuthenticationError in middleware/problem-to-error.js.
const test = async (z, bundle) => {
  const response = await z.request({ url: apiUrl(bundle, '/v1/models'), method: 'GET' });
  const body = response.data || {};
  // An OpenAI-compatible server (or the LLM provider itself) also answers {object, data}; only
  // BestRoute adds `count`, so a wrong base URL is caught here rather than at the first route.
  if (!Array.isArray(body.data) || !Number.isInteger(body.count)) {
    throw new z.errors.Error(
      `${baseUrl(bundle)} is not a BestRoute server: GET /v1/models did not return BestRoute's model list. Check the Base URL.`,
      'NotBestRoute',
      response.status,
    );
  }
  return body;
};

// Shown in the Zapier account picker: which server, and how many models it routes across.
const connectionLabel = (z, bundle) => {
  const host = baseUrl(bundle).replace(/^https?:\/\//, '');
  const count = bundle.inputData && bundle.inputData.count;
  return Number.isInteger(count) ? `${host} (${count} models)` : host;
};

module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'base_url',
      label: 'Base URL',
      type: 'string',
      required: true,
      helpText: 'Where your BestRoute server is reachable, e.g. `https://bestroute.example.com`.',
    },
    {
      key: 'api_key',
      label: 'API Key',
      type: 'password',
      required: true,
      helpText: 'A BestRoute API key (starts with `br-`). Create one with the admin API.',
    },
  ],
  test,
  connectionLabel,
};
