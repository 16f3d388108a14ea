// Starts the repo's live BestRoute stack (tests/support/live_stack.py: fake LLM upstream + real
// service) and resolves once it has written its ready file. The repo root is found relative to
// this file, never hard-coded, because CI runs from a fresh clone elsewhere.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

// Generous: the service warms litellm at start, and CI machines are busy.
const READY_TIMEOUT_MS = 180_000;

export async function startLiveStack({ noKeys = false } = {}) {
	const python = process.env.BESTROUTE_PYTHON || join(repoRoot, '.venv/bin/python');
	const dir = mkdtempSync(join(tmpdir(), 'bestroute-n8n-'));
	const readyFile = join(dir, 'ready.json');
	const args = [join(repoRoot, 'tests/support/live_stack.py'), '--ready-file', readyFile];
	if (noKeys) args.push('--no-keys');

	const proc = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
	let stderr = '';
	proc.stderr.on('data', (chunk) => {
		stderr += chunk;
	});
	const exited = new Promise((done) => proc.once('exit', done));

	const started = Date.now();
	while (!existsSync(readyFile)) {
		if (proc.exitCode !== null) {
			// A grandchild left behind may still hold the pipe open; stop reading it so this
			// process can exit.
			proc.stderr.destroy();
			throw new Error(`live_stack.py exited with ${proc.exitCode} before it was ready:\n${stderr}`);
		}
		if (Date.now() - started > READY_TIMEOUT_MS) {
			proc.kill('SIGTERM');
			proc.stderr.destroy();
			throw new Error(`live_stack.py not ready after ${READY_TIMEOUT_MS} ms:\n${stderr}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	const info = JSON.parse(readFileSync(readyFile, 'utf8'));

	return {
		...info,
		/** Lets the test process exit while the stack runs (its 'exit' handler then kills it). */
		detach() {
			proc.unref();
			proc.stderr.unref?.();
		},
		/** Synchronous, for process 'exit' handlers: live_stack.py stops its children on SIGTERM. */
		kill() {
			if (proc.exitCode === null) proc.kill('SIGTERM');
		},
		async stop() {
			if (proc.exitCode === null) proc.kill('SIGTERM');
			await exited;
			rmSync(dir, { recursive: true, force: true });
		},
		/** Tell the fake upstream to misbehave (docs: POST {upstream_url}/_control). */
		async control(body) {
			const res = await fetch(`${info.upstream_url}/_control`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			if (!res.ok) throw new Error(`_control answered ${res.status}: ${await res.text()}`);
		},
		/** Create an API key through the admin API, e.g. with a tiny budget or rpm. */
		async createKey(body) {
			const res = await fetch(`${info.base_url}/v1/admin/keys`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					authorization: `Bearer ${info.admin_key}`,
				},
				body: JSON.stringify(body),
			});
			if (res.status !== 201)
				throw new Error(`admin/keys answered ${res.status}: ${await res.text()}`);
			return await res.json();
		},
	};
}

const shared = new Map();

/**
 * One stack per option set for the whole test process (the tests run with --test-isolation=none),
 * because starting the service costs seconds. It is stopped when the process exits; tests that
 * change the fake upstream's behaviour reset it themselves.
 */
export function sharedLiveStack({ noKeys = false } = {}) {
	const id = noKeys ? 'no-keys' : 'keys';
	if (!shared.has(id)) {
		const starting = startLiveStack({ noKeys });
		shared.set(id, starting);
		starting.then(
			(stack) => {
				stack.detach();
				process.once('exit', () => stack.kill());
			},
			() => {},
		);
	}
	return shared.get(id);
}
