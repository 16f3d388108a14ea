// Route through n8n's real execution engine against the live BestRoute service.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runNode } from './support/harness.mjs';
import { sharedLiveStack } from './support/liveStack.mjs';

const FLAT_FIELDS = [
	'answer',
	'output',
	'model',
	'provider',
	'task_type',
	'cost_usd',
	'baseline_cost_usd',
	'savings_usd',
	'latency_ms',
	'fallback_used',
];

describe('Route', () => {
	let stack;
	let credentials;
	before(async () => {
		stack = await sharedLiveStack();
		credentials = { baseUrl: stack.base_url, apiKey: stack.api_key };
	});

	it('returns the answer, the flat fields and the receipt; the task is an expression', async () => {
		const result = await runNode({
			credentials,
			items: [{ topic: 'routers' }],
			parameters: { operation: 'route', task: '=Write a haiku about {{ $json.topic }}' },
		});
		assert.equal(result.error, undefined);
		assert.equal(result.items.length, 1);
		const [item] = result.items;
		for (const field of FLAT_FIELDS) assert.ok(field in item, `missing ${field}`);
		// The fake upstream echoes the task and names the model it was asked for.
		assert.match(item.answer, /Write a haiku about routers/);
		assert.ok(item.answer.includes(item.model.split('/')[1]), `${item.answer} / ${item.model}`);
		assert.equal(item.provider, item.model.split('/')[0]);
		assert.equal(item.dry_run, false);
		assert.equal(item.fallback_used, false);
		assert.ok(item.cost_usd > 0);
		assert.equal(item.receipt.chosen, item.model);
		assert.equal(typeof item.receipt.reason, 'string');
		assert.ok(item.receipt.candidates.length > 0);
	});

	it('sends constraints, strategy, task type and options under the service field names', async () => {
		const result = await runNode({
			credentials,
			parameters: {
				operation: 'route',
				task: 'Explain recursion to a child',
				strategy: 'cheapest',
				task_type: 'factual_qa',
				constraints: {
					allowed_providers: ['openai'],
					allowed_models: ['openai/gpt-5-mini', 'openai/gpt-5-nano'],
					max_cost_usd: 1,
					max_latency_ms: 60000,
				},
				options: {
					system: 'Answer in one sentence.',
					max_output_tokens: 200,
					temperature: 0.2,
					metadata: { entries: [{ key: 'workflow', value: 'n8n-tests' }] },
					include_receipt: true,
				},
			},
		});
		assert.equal(result.error, undefined);
		const [item] = result.items;
		assert.ok(['openai/gpt-5-mini', 'openai/gpt-5-nano'].includes(item.model), item.model);
		assert.equal(item.task_type, 'factual_qa');
		assert.equal(item.receipt.strategy, 'cheapest');
		assert.deepEqual(item.receipt.constraints.allowed_providers, ['openai']);
		assert.equal(item.receipt.constraints.max_cost_usd, 1);
	});

	it('parses JSON-schema answers into output', async () => {
		const result = await runNode({
			credentials,
			parameters: {
				operation: 'route',
				task: 'Classify the sentiment of: I love this product',
				response_format: 'json_schema',
				schema: JSON.stringify({
					type: 'object',
					properties: { label: { type: 'string' } },
					required: ['label'],
				}),
			},
		});
		assert.equal(result.error, undefined);
		const [item] = result.items;
		assert.equal(typeof item.output, 'object');
		assert.equal(typeof item.output.label, 'string');
	});

	it('leaves the receipt out when the user turns it off', async () => {
		const result = await runNode({
			credentials,
			parameters: { operation: 'route', task: 'Say hi', options: { include_receipt: false } },
		});
		const [item] = result.items;
		assert.equal(item.receipt, undefined);
		assert.match(item.answer, /Say hi/);
		assert.equal(typeof item.model, 'string');
	});

	it('routes many items with bounded concurrency, keeping order and pairing', async () => {
		const items = Array.from({ length: 7 }, (_, i) => ({ n: i }));
		const result = await runNode({
			credentials,
			items,
			parameters: {
				operation: 'route',
				task: '=Item number {{ $json.n }}',
				options: { concurrency: 3, include_receipt: false },
			},
		});
		assert.equal(result.error, undefined);
		assert.equal(result.items.length, 7);
		result.items.forEach((item, i) => assert.match(item.answer, new RegExp(`Item number ${i}\\b`)));
		assert.deepEqual(
			result.pairedItems.map((p) => p.item),
			[0, 1, 2, 3, 4, 5, 6],
		);
	});

	it('reports a fallback when the first model fails upstream', async () => {
		await stack.control({ model: 'gpt-5-mini', mode: 'error', status: 500, times: 5 });
		try {
			const result = await runNode({
				credentials,
				parameters: {
					operation: 'route',
					task: 'Summarize: fallbacks keep workflows alive',
					// best: gpt-5-mini (the stronger) is tried first, gpt-5-nano is the fallback
					strategy: 'best',
					constraints: { allowed_models: ['openai/gpt-5-mini', 'openai/gpt-5-nano'] },
				},
			});
			assert.equal(result.error, undefined);
			const [item] = result.items;
			assert.equal(item.model, 'openai/gpt-5-nano');
			assert.equal(item.fallback_used, true);
			assert.ok(item.receipt.attempts.length >= 2);
		} finally {
			await stack.control({ reset: true });
		}
	});
});
