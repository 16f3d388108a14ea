'use strict';

// The middleware on responses the live service cannot be made to send (a proxy's HTML page, a
// Retry-After only in the body) and on the wording rules; errors.test.js covers real responses.

const zapier = require('zapier-platform-core');
const problemToError = require('../middleware/problem-to-error');

const z = { errors: zapier.errors };

const response = (status, data, headers = {}, content) => ({
  status,
  data,
  content: content === undefined ? JSON.stringify(data) : content,
  headers: { get: (name) => headers[name.toLowerCase()] ?? null },
});

const thrown = (resp) => {
  try {
    problemToError(resp, z);
  } catch (err) {
    return { name: err.name, ...JSON.parse(err.message) };
  }
  throw new Error('problemToError did not throw');
};

describe('problemToError', () => {
  test('passes successful responses through untouched', () => {
    const ok = response(200, { answer: 'x' });
    expect(problemToError(ok, z)).toBe(ok);
  });

  test('adds what the detail leaves out: other invalid fields, exclusions, attempts', () => {
    const error = thrown(
      response(422, {
        type: '/problems/invalid-field',
        title: 'Invalid field',
        status: 422,
        detail: 'temperature: must be <= 2',
        errors: [
          { field: 'temperature', message: 'must be <= 2' },
          { field: 'constraints.min_quality', message: 'must be <= 1' },
        ],
      }),
    );
    expect(error).toEqual({
      name: 'AppError',
      code: 'invalid-field',
      status: 422,
      message: 'Invalid field: temperature: must be <= 2. Also invalid: constraints.min_quality: must be <= 1.',
    });
  });

  test('lists at most five exclusions', () => {
    const excluded = Array.from({ length: 7 }, (_, i) => ({ model: `p/m${i}`, reason: 'too slow' }));
    const error = thrown(response(422, { type: '/problems/no-eligible-model', title: 'No eligible model', detail: 'Relax a constraint.', excluded }));
    expect(error.message).toBe(
      'No eligible model: Relax a constraint. Excluded: p/m0 (too slow); p/m1 (too slow); p/m2 (too slow); p/m3 (too slow); p/m4 (too slow); and 2 more.',
    );
  });

  test('402 gets spent, budget and reset time when the detail does not say them', () => {
    const error = thrown(
      response(402, {
        type: '/problems/budget-exhausted',
        title: 'Budget exhausted',
        detail: 'This key has used its monthly budget.',
        spent_usd: 5.01,
        budget_usd: 5,
        resets_at: '2026-12-01T00:00:00Z',
      }),
    );
    expect(error.code).toBe('budget-exhausted');
    expect(error.message).toBe(
      'Budget exhausted: This key has used its monthly budget. Spent $5.01 of a $5 monthly budget. The budget resets at 2026-12-01T00:00:00Z.',
    );
  });

  test('402 does not repeat spent and budget when the detail states them', () => {
    const detail = "API key 'b' has spent $0.000000 of its $0.00 monthly budget.";
    const error = thrown(response(402, { type: '/problems/budget-exhausted', title: 'Budget exhausted', detail, spent_usd: 0, budget_usd: 0.000001 }));
    expect(error.message).toBe(`Budget exhausted: ${detail}`);
  });

  test('429: Retry-After header first, then retry_after_s from the body, else no delay', () => {
    const body = { type: '/problems/rate-limited', title: 'Rate limited', detail: 'Slow down', retry_after_s: 12.2 };
    expect(thrown(response(429, body, { 'retry-after': '7' }))).toEqual({ name: 'ThrottledError', message: 'Rate limited: Slow down.', delay: 7 });
    expect(thrown(response(429, body)).delay).toBe(13);
    expect(thrown(response(429, { detail: 'Slow down' })).delay).toBeNull();
  });

  test('a non-JSON error page keeps its status and a short excerpt', () => {
    const html = `<html><body><h1>502 Bad Gateway</h1>${'x'.repeat(500)}</body></html>`;
    const error = thrown(response(502, undefined, {}, html));
    expect(error.code).toBe('http-502');
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/^HTTP 502: <html><body><h1>502 Bad Gateway/);
    expect(error.message.length).toBeLessThan(260);
  });
});
