// Explain (dry run): the decision and estimated cost, without calling a model.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runNode } from './support/harness.mjs';
import { sharedLiveStack } from './support/liveStack.mjs';

describe('Explain', () => {
	let stack;
	let credentials;
	before(async () => {
		stack = await sharedLiveStack();
		credentials = { baseUrl: stack.base_url, apiKey: stack.api_key };
	});

	it('returns the decision, estimate and reason without an answer', async () => {
		// Every upstream call would fail: a dry run must not make one.
		for (const model of [
			'gpt-5',
			'gpt-5-mini',
			'gpt-5-nano',
			'gpt-4.1',
			'gpt-4o-mini',
			'o4-mini',
		]) {
			await stack.control({ model, mode: 'error', status: 500, times: 100 });
		}
		try {
			const result = await runNode({
				credentials,
				parameters: {
					operation: 'explain',
					task: 'Write a Python function that reverses a linked list',
					strategy: 'best',
					task_type: 'code',
					constraints: { allowed_providers: ['openai'] },
				},
			});
			assert.equal(result.error, undefined);
			const [item] = result.items;
			assert.equal(item.dry_run, true);
			assert.equal(item.answer, null);
			assert.equal(item.provider, 'openai');
			assert.equal(item.task_type, 'code');
			assert.ok(item.estimated_cost_usd > 0);
			assert.equal(item.receipt.strategy, 'best');
			assert.equal(item.receipt.chosen, item.model);
			assert.match(item.receipt.reason, new RegExp(item.model.replace(/[.]/g, '\\.')));
			assert.equal(item.receipt.attempts.length, 0);
		} finally {
			await stack.control({ reset: true });
		}
	});
});
