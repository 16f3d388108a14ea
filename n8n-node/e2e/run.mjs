// End-to-end in a real, headless n8n (pinned 2.40.x, installed by install-n8n.sh into a cache
// folder outside git): pack this package, install the tarball as a custom node, import a
// credential and a workflow with n8n's CLI, execute the workflow against the live BestRoute
// service, and check its output. Also checks that `n8n export:nodes` lists the AI-tool variant.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
	closeSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLiveStack } from '../test/support/liveStack.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const packageDir = resolve(here, '..');
const PACKAGE_NAME = 'n8n-nodes-bestroute';
const CREDENTIAL_ID = 'bestrouteE2Ecred';
const WORKFLOW_ID = 'bestrouteE2Eflow';

function log(message) {
	console.log(`[n8n e2e] ${message}`);
}

function installN8n() {
	return execFileSync('bash', [join(here, 'install-n8n.sh')], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	}).trim();
}

function packNode(workDir) {
	const out = execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], {
		cwd: packageDir,
		encoding: 'utf8',
	});
	const [{ filename, files }] = JSON.parse(out);
	const paths = files.map((f) => f.path);
	assert.ok(paths.includes('dist/nodes/BestRoute/BestRoute.node.js'), 'tarball lacks the node');
	assert.ok(paths.includes('dist/icons/bestroute.svg'), 'tarball lacks the icon');
	assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('node_modules/')));
	return join(workDir, filename);
}

function installCustomNode(tarball, userFolder) {
	// n8n loads custom packages from <N8N_USER_FOLDER>/.n8n/custom/node_modules/<name>.
	const target = join(userFolder, '.n8n/custom/node_modules', PACKAGE_NAME);
	mkdirSync(target, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
}

function n8n(n8nDir, env, args) {
	// n8n's CLI calls process.exit() right after printing; output to a pipe can be cut short,
	// output to a file is written synchronously. So capture through files.
	const bin = join(n8nDir, 'node_modules/n8n/bin/n8n');
	const outFile = join(env.N8N_USER_FOLDER, '..', 'n8n-stdout.txt');
	const errFile = join(env.N8N_USER_FOLDER, '..', 'n8n-stderr.txt');
	const out = openSync(outFile, 'w');
	const err = openSync(errFile, 'w');
	let result;
	try {
		result = spawnSync(process.execPath, [bin, ...args], {
			env,
			stdio: ['ignore', out, err],
			timeout: 5 * 60 * 1000,
		});
	} finally {
		closeSync(out);
		closeSync(err);
	}
	const stdout = readFileSync(outFile, 'utf8');
	if (result.status !== 0) {
		const stderr = readFileSync(errFile, 'utf8');
		throw new Error(
			`n8n ${args.join(' ')} exited ${result.status ?? result.signal}\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`,
		);
	}
	return stdout;
}

/** `execute --rawOutput` prints the run as JSON, possibly after log lines. */
function parseRun(stdout) {
	const start = stdout.search(/^\{/m);
	assert.ok(start >= 0, `no JSON in n8n execute output:\n${stdout}`);
	return JSON.parse(stdout.slice(start));
}

function nodeOutput(run, name) {
	const task = run.data.resultData.runData[name]?.[0];
	assert.ok(task, `node "${name}" did not run`);
	assert.equal(task.error, undefined, `node "${name}" failed: ${JSON.stringify(task.error)}`);
	return task.data.main[0].map((item) => item.json);
}

async function main() {
	const started = Date.now();
	const n8nDir = installN8n();
	log(`n8n at ${n8nDir}`);
	const workDir = mkdtempSync(join(tmpdir(), 'bestroute-n8n-e2e-'));
	const userFolder = join(workDir, 'user');
	const env = {
		...process.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'bestroute-e2e-only',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info',
		DB_TYPE: 'sqlite',
	};
	const stack = await startLiveStack();
	try {
		const tarball = packNode(workDir);
		installCustomNode(tarball, userFolder);
		log(`installed ${tarball} as a custom node`);

		const credentialsFile = join(workDir, 'credentials.json');
		writeFileSync(
			credentialsFile,
			JSON.stringify([
				{
					id: CREDENTIAL_ID,
					name: 'BestRoute (e2e)',
					type: 'bestRouteApi',
					data: { baseUrl: stack.base_url, apiKey: stack.api_key },
				},
			]),
		);
		n8n(n8nDir, env, ['import:credentials', `--input=${credentialsFile}`]);
		n8n(n8nDir, env, ['import:workflow', `--input=${join(here, 'workflow.json')}`]);
		log('imported the credential and the workflow');

		const run = parseRun(n8n(n8nDir, env, ['execute', `--id=${WORKFLOW_ID}`, '--rawOutput']));
		assert.equal(run.status, 'success', `execution status ${run.status}`);

		const [routed] = nodeOutput(run, 'Route to Best AI');
		assert.match(routed.answer, /Write a haiku about self-hosted routers/);
		assert.match(routed.model, /^(openai|anthropic)\//);
		assert.ok(routed.answer.includes(routed.model.split('/')[1]), 'answer names another model');
		assert.equal(routed.receipt.chosen, routed.model);
		log(`Route answered with ${routed.model}: ${routed.answer}`);

		const [explained] = nodeOutput(run, 'Explain');
		assert.equal(explained.dry_run, true);
		assert.equal(explained.answer, null);
		assert.equal(explained.task_type, 'factual_qa');
		assert.ok(explained.estimated_cost_usd > 0);
		log(`Explain would pick ${explained.model}: ${explained.receipt.reason}`);

		const nodesFile = join(workDir, 'nodes.json');
		n8n(n8nDir, env, ['export:nodes', `--output=${nodesFile}`]);
		const names = JSON.parse(readFileSync(nodesFile, 'utf8')).map((node) => node.name);
		assert.ok(names.includes('CUSTOM.bestRoute'), 'export:nodes lacks CUSTOM.bestRoute');
		assert.ok(names.includes('CUSTOM.bestRouteTool'), 'export:nodes lacks the tool variant');
		log('export:nodes lists CUSTOM.bestRoute and CUSTOM.bestRouteTool');
		log(`passed in ${Math.round((Date.now() - started) / 1000)} s`);
	} finally {
		await stack.stop();
		if (process.env.BESTROUTE_E2E_KEEP) log(`kept ${workDir}`);
		else rmSync(workDir, { recursive: true, force: true });
	}
}

await main();
