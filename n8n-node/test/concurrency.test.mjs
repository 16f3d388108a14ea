// mapWithConcurrency from the built package: bounded parallelism, order, first-error semantics.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const { mapWithConcurrency } = require('../dist/nodes/BestRoute/shared/concurrency.js');

const tick = () => new Promise((r) => setImmediate(r));

describe('mapWithConcurrency', () => {
	it('never has more than `limit` calls in flight and keeps index order', async () => {
		let inFlight = 0;
		let peak = 0;
		const results = await mapWithConcurrency(10, 3, async (i) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			for (let k = 0; k < 10 - i; k++) await tick();
			inFlight--;
			return i * 2;
		});
		assert.equal(peak, 3);
		assert.deepEqual(results, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
	});

	it('stops starting work after a failure and throws the lowest failing index', async () => {
		const started = [];
		await assert.rejects(
			mapWithConcurrency(20, 2, async (i) => {
				started.push(i);
				await tick();
				if (i === 3 || i === 4) throw new Error(`boom ${i}`);
				return i;
			}),
			/boom 3/,
		);
		assert.ok(started.length < 20, `started ${started.length}`);
	});

	it('handles no items and silly limits', async () => {
		assert.deepEqual(await mapWithConcurrency(0, 4, async (i) => i), []);
		assert.deepEqual(await mapWithConcurrency(3, 0, async (i) => i), [0, 1, 2]);
		assert.deepEqual(await mapWithConcurrency(2, 99, async (i) => i), [0, 1]);
	});
});
