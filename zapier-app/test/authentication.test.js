'use strict';

const zapier = require('zapier-platform-core');
const App = require('../index');
const { live, bundle, zapierError } = require('./support/live');

const appTester = zapier.createAppTester(App);

describe('authentication (custom: base URL + API key, tested with GET /v1/models)', () => {
  test('passes with a valid key and labels the connection with host and model count', async () => {
    const b = bundle();
    const result = await appTester(App.authentication.test, b);
    expect(result.object).toBe('list');
    expect(result.count).toBe(result.data.length);
    expect(result.count).toBeGreaterThan(0);

    const label = await appTester(App.authentication.connectionLabel, { ...b, inputData: result });
    const host = new URL(live().base_url).host;
    expect(label).toBe(`${host} (${result.count} models)`);
  });

  test('accepts a base URL with a trailing slash or the /v1 suffix', async () => {
    const base = live().base_url;
    for (const variant of [`${base}/`, `${base}/v1`, `${base}/v1/`]) {
      const result = await appTester(App.authentication.test, bundle({}, { base_url: variant }));
      expect(result.count).toBeGreaterThan(0);
    }
  });

  test('fails with a wrong key as an authentication error that names the key', async () => {
    const error = await zapierError(
      appTester(App.authentication.test, bundle({}, { api_key: 'br-not-a-real-key' })),
    );
    expect(error.name).toBe('AppError');
    expect(error.code).toBe('AuthenticationError');
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/API key/);
  });

  test('fails with a clear message when the base URL is another OpenAI-style server', async () => {
    // the fake LLM upstream answers GET /v1/models with an OpenAI list: the kind of URL people mix up
    const error = await zapierError(appTester(App.authentication.test, bundle({}, { base_url: live().upstream_url })));
    expect(error).toMatchObject({ name: 'AppError', code: 'NotBestRoute', status: 200 });
    expect(error.message).toMatch(/is not a BestRoute server.*Check the Base URL/);
  });

  test('fails without a key once the server has keys', async () => {
    const error = await zapierError(appTester(App.authentication.test, bundle({}, { api_key: '' })));
    expect(error.code).toBe('AuthenticationError');
    expect(error.status).toBe(401);
  });
});
