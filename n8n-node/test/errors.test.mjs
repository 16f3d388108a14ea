// Credentials and errors: the credential test, a bad key, the service's problem `detail` as the
// error message, and Continue On Fail per item.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runNode, testCredential } from './support/harness.mjs';
import { sharedLiveStack } from './support/liveStack.mjs';

describe('credentials and errors', () => {
	let stack;
	let credentials;
	before(async () => {
		stack = await sharedLiveStack();
		credentials = { baseUrl: stack.base_url, apiKey: stack.api_key };
	});

	it('the credential test request passes with a valid key and fails with a bad one', async () => {
		assert.equal(await testCredential(credentials), 200);
		assert.equal(await testCredential({ ...credentials, apiKey: 'br-not-a-real-key' }), 401);
	});

	it('a bad key fails the node with the 401 problem detail', async () => {
		const result = await runNode({
			credentials: { ...credentials, apiKey: 'br-not-a-real-key' },
			parameters: { operation: 'route', task: 'Say hi' },
		});
		assert.ok(result.error, 'expected a node error');
		assert.equal(result.error.name, 'NodeApiError');
		assert.equal(result.error.httpCode, '401');
		assert.equal(result.error.message, 'invalid or revoked API key');
		assert.equal(result.items.length, 0);
	});

	it('an unreachable service fails with a message naming the address', async () => {
		const result = await runNode({
			credentials: { baseUrl: 'http://127.0.0.1:9', apiKey: 'x' },
			parameters: { operation: 'listModels' },
		});
		assert.ok(result.error);
		assert.match(
			result.error.message,
			/Could not reach BestRoute at http:\/\/127\.0\.0\.1:9\/v1\/models/,
		);
	});

	it('no eligible model stops the run with the detail when Continue On Fail is off', async () => {
		const result = await runNode({
			credentials,
			parameters: { operation: 'route', task: 'Say hi', constraints: { max_cost_usd: 0.0000001 } },
		});
		assert.ok(result.error);
		assert.equal(result.error.httpCode, '422');
		assert.match(result.error.message, /^no model satisfies max_cost_usd=/);
	});

	it('Continue On Fail keeps going and puts the problem on the failing item', async () => {
		const result = await runNode({
			credentials,
			continueOnFail: true,
			items: [{ budget: 1 }, { budget: 0.0000001 }, { budget: 1 }],
			parameters: {
				operation: 'route',
				task: '=Say hi with budget {{ $json.budget }}',
				constraints: { max_cost_usd: '={{ $json.budget }}' },
				options: { include_receipt: false },
			},
		});
		assert.equal(result.error, undefined);
		assert.equal(result.items.length, 3);
		const [first, failed, third] = result.items;
		assert.match(first.answer, /budget 1/);
		assert.match(third.answer, /budget 1/);
		assert.match(failed.error, /^no model satisfies max_cost_usd=/);
		assert.equal(failed.status, 422);
		assert.equal(failed.type, '/problems/no-eligible-model');
		assert.ok(Array.isArray(failed.excluded) && failed.excluded.length > 0);
		assert.deepEqual(
			result.pairedItems.map((p) => p.item),
			[0, 1, 2],
		);
	});

	it('an exhausted budget shows the 402 detail (Continue On Fail)', async () => {
		const { key } = await stack.createKey({ name: 'tiny-budget', budget_usd: 0.000001 });
		const result = await runNode({
			credentials: { ...credentials, apiKey: key },
			continueOnFail: true,
			items: [{}, {}],
			parameters: { operation: 'route', task: 'Say hi', options: { concurrency: 1 } },
		});
		// The service holds each request's worst-case cost against the budget before calling a
		// model, so with a budget this small it refuses at once; either way a refusal must show.
		const refused = result.items.filter((item) => item.status === 402);
		assert.ok(refused.length >= 1, `statuses: ${result.items.map((i) => i.status ?? 200)}`);
		for (const item of result.items.filter((i) => i.status !== 402)) {
			assert.equal(typeof item.answer, 'string');
		}
		assert.equal(refused[0].type, '/problems/budget-exhausted');
		assert.match(refused[0].error, /budget/i);
		assert.equal(refused[0].budget_usd, 0.000001);
	});

	it('a used-up rate limit shows the 429 detail (Continue On Fail)', async () => {
		const { key } = await stack.createKey({ name: 'one-rpm', rpm: 1 });
		const result = await runNode({
			credentials: { ...credentials, apiKey: key },
			continueOnFail: true,
			items: [{}, {}],
			parameters: { operation: 'explain', task: 'Say hi', options: { concurrency: 1 } },
		});
		const statuses = result.items.map((i) => i.status ?? 200);
		assert.deepEqual(statuses, [200, 429]);
		const limited = result.items[1];
		assert.equal(limited.type, '/problems/rate-limited');
		assert.match(limited.error, /requests per minute/);
		assert.equal(typeof limited.retry_after_s, 'number');
	});

	it('an invalid field shows which field (422 invalid-field)', async () => {
		const result = await runNode({
			credentials,
			continueOnFail: true,
			parameters: { operation: 'route', task: 'Say hi', options: { temperature: 5 } },
		});
		const [item] = result.items;
		assert.equal(item.status, 422);
		assert.equal(item.type, '/problems/invalid-field');
		assert.ok(
			item.errors.some((e) => /temperature/.test(e.field)),
			JSON.stringify(item.errors),
		);
	});
});
