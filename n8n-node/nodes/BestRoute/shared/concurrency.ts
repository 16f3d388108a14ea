/**
 * Runs `worker` for indexes 0..count-1 with at most `limit` calls in flight, keeping results in
 * index order. After the first failure no new work starts; the error of the lowest failing index
 * is thrown once the calls already in flight have settled, so a failing run is deterministic.
 * Promise-based lanes only: community nodes may not use timers.
 */
export async function mapWithConcurrency<T>(
	count: number,
	limit: number,
	worker: (index: number) => Promise<T>,
): Promise<T[]> {
	const results: T[] = new Array<T>(count);
	const failures = new Map<number, unknown>();
	let next = 0;

	const lane = async (): Promise<void> => {
		while (failures.size === 0 && next < count) {
			const index = next++;
			try {
				results[index] = await worker(index);
			} catch (error) {
				failures.set(index, error);
			}
		}
	};

	const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, count));
	await Promise.all(Array.from({ length: lanes }, lane));

	if (failures.size > 0) {
		throw failures.get(Math.min(...failures.keys()));
	}
	return results;
}
