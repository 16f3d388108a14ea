'use strict';

// buildRouteBody: flat Zapier input -> the JSON body of POST /v1/route. Pure, so tested directly.

const zapier = require('zapier-platform-core');
const { buildRouteBody } = require('../lib/route-fields');

const z = { errors: zapier.errors };

describe('buildRouteBody', () => {
  test('nests constraints and response_format, casts text numbers and lists, drops blanks', () => {
    const body = buildRouteBody(z, {
      task: 'Sort these',
      system: '',
      strategy: 'fastest',
      constraints__max_cost_usd: '0.01',
      constraints__max_latency_ms: '2000',
      constraints__allowed_providers: 'openai, anthropic',
      constraints__blocked_models: [],
      constraints__required_capabilities: ['json_schema'],
      response_format__type: 'json_schema',
      response_format__schema: '{"type": "object", "properties": {"n": {"type": "integer"}}}',
      max_output_tokens: '100',
      temperature: 0,
      metadata: { source: 'zap' },
    });
    expect(body).toEqual({
      task: 'Sort these',
      strategy: 'fastest',
      constraints: {
        max_cost_usd: 0.01,
        max_latency_ms: 2000,
        allowed_providers: ['openai', 'anthropic'],
        required_capabilities: ['json_schema'],
      },
      response_format: { type: 'json_schema', schema: { type: 'object', properties: { n: { type: 'integer' } } } },
      max_output_tokens: 100,
      temperature: 0,
      metadata: { source: 'zap' },
    });
  });

  test('a schema alone implies the json_schema response format; dry run is added for Explain', () => {
    const body = buildRouteBody(z, { task: 't', response_format__schema: { type: 'object' } }, { dryRun: true });
    expect(body).toEqual({ task: 't', response_format: { type: 'json_schema', schema: { type: 'object' } }, dry_run: true });
  });

  test('rejects a schema that is not JSON and a number that is not a number', () => {
    expect(() => buildRouteBody(z, { task: 't', response_format__schema: '{nope' })).toThrow(/JSON Schema is not valid JSON/);
    expect(() => buildRouteBody(z, { task: 't', max_output_tokens: '1.5' })).toThrow(/whole number/);
  });
});
