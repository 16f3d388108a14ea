// List Models and the dropdowns (loadOptions) filled from GET /v1/models.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadOptions, runNode } from './support/harness.mjs';
import { sharedLiveStack } from './support/liveStack.mjs';

async function catalog(stack) {
	const res = await fetch(`${stack.base_url}/v1/models`, {
		headers: { authorization: `Bearer ${stack.api_key}` },
	});
	assert.equal(res.status, 200);
	return (await res.json()).data;
}

describe('models', () => {
	let stack;
	let credentials;
	before(async () => {
		stack = await sharedLiveStack();
		credentials = { baseUrl: stack.base_url, apiKey: stack.api_key };
	});

	it('getModels lists data[].model of the catalog', async () => {
		const options = await loadOptions({ credentials, method: 'getModels' });
		const expected = (await catalog(stack)).map((m) => m.model).sort();
		assert.deepEqual(options.map((o) => o.value).sort(), expected);
		assert.ok(expected.includes('openai/gpt-5-mini'));
		for (const option of options) {
			assert.equal(option.name, option.value);
			assert.match(option.description, /per 1M tokens/);
		}
	});

	it('getProviders lists the distinct data[].provider', async () => {
		const options = await loadOptions({ credentials, method: 'getProviders' });
		const expected = [...new Set((await catalog(stack)).map((m) => m.provider))].sort();
		assert.deepEqual(
			options.map((o) => o.value),
			expected,
		);
		assert.ok(expected.includes('openai') && expected.includes('anthropic'));
	});

	it('a trailing slash in the base URL is tolerated', async () => {
		const options = await loadOptions({
			credentials: { ...credentials, baseUrl: `${stack.base_url}/` },
			method: 'getProviders',
		});
		assert.ok(options.length > 0);
	});

	it('List Models returns one item per model', async () => {
		const result = await runNode({ credentials, parameters: { operation: 'listModels' } });
		assert.equal(result.error, undefined);
		const models = await catalog(stack);
		assert.equal(result.items.length, models.length);
		const mini = result.items.find((m) => m.model === 'openai/gpt-5-mini');
		assert.equal(mini.provider, 'openai');
		assert.equal(typeof mini.input_cost_per_1m, 'number');
		assert.ok(Array.isArray(mini.capabilities));
		assert.ok(result.pairedItems.every((p) => p.item === 0));
	});
});

describe('open install (no API keys yet)', () => {
	let stack;
	before(async () => {
		stack = await sharedLiveStack({ noKeys: true });
	});

	it('works with an empty API Key field', async () => {
		const credentials = { baseUrl: stack.base_url, apiKey: '' };
		const options = await loadOptions({ credentials, method: 'getProviders' });
		assert.ok(options.some((o) => o.value === 'openai'));
		const result = await runNode({
			credentials,
			parameters: { operation: 'explain', task: 'Say hi', options: { include_receipt: false } },
		});
		assert.equal(result.error, undefined);
		assert.equal(result.items[0].dry_run, true);
	});
});
