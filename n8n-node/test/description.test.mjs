// The package as n8n sees it: what PackageDirectoryLoader loads from dist/, and a guard that the
// node's request parameters use the field names of docs/api.md (the shared contract).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CREDENTIAL_TYPE, loadPackage, PACKAGE_DIR } from './support/harness.mjs';
import { repoRoot } from './support/liveStack.mjs';

// Parameters that are about the node, not fields of the HTTP request.
const NODE_ONLY = new Set(['operation', 'options', 'schema', 'include_receipt', 'concurrency']);

describe('package description', () => {
	it('loads one node and one credential, as declared in package.json', async () => {
		const loader = await loadPackage();
		assert.deepEqual(Object.keys(loader.nodeTypes), ['bestRoute']);
		assert.deepEqual(Object.keys(loader.credentialTypes), [CREDENTIAL_TYPE]);
		const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
		assert.ok(pkg.keywords.includes('n8n-community-node-package'));
		assert.equal(pkg.n8n.strict, true);
		assert.equal(pkg.license, 'MIT');
		assert.equal(pkg.dependencies, undefined, 'community nodes have no runtime dependencies');
		assert.ok('n8n-workflow' in pkg.peerDependencies);
	});

	it('the node is usable as an AI tool, has a codex and themed SVG icons', async () => {
		const loader = await loadPackage();
		const { description } = loader.getNode('bestRoute').type;
		assert.equal(description.displayName, 'Route to Best AI');
		assert.equal(description.usableAsTool, true);
		assert.ok(description.codex.categories.includes('AI'));
		// The loader turns `file:` icons into URLs under dist/; the SVGs must have been copied there.
		assert.match(description.iconUrl.light, /dist\/icons\/bestroute\.svg$/);
		assert.match(description.iconUrl.dark, /dist\/icons\/bestroute\.dark\.svg$/);
		for (const file of ['bestroute.svg', 'bestroute.dark.svg']) {
			assert.match(readFileSync(join(PACKAGE_DIR, 'dist/icons', file), 'utf8'), /^<svg /);
		}
		const operations = description.properties.find((p) => p.name === 'operation');
		assert.deepEqual(
			operations.options.map((o) => o.value),
			['route', 'explain', 'listModels'],
		);
	});

	it('the credential authenticates with a Bearer header and tests GET /v1/models', async () => {
		const loader = await loadPackage();
		const credential = loader.getCredential(CREDENTIAL_TYPE).type;
		assert.equal(credential.displayName, 'BestRoute API');
		assert.deepEqual(
			credential.properties.map((p) => p.name),
			['baseUrl', 'apiKey'],
		);
		assert.equal(credential.authenticate.type, 'generic');
		assert.match(credential.authenticate.properties.headers.Authorization, /^=Bearer /);
		assert.equal(credential.test.request.url, '/v1/models');
	});

	it('request parameters are named exactly like the fields in docs/api.md', async () => {
		const contract = readFileSync(join(repoRoot, 'docs/api.md'), 'utf8');
		const documented = new Set([...contract.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]));
		const loader = await loadPackage();
		const names = [];
		const collect = (props) => {
			for (const p of props) {
				if (p.type === 'fixedCollection') continue;
				names.push(p.name);
				if (p.type === 'collection') collect(p.options);
			}
		};
		collect(loader.getNode('bestRoute').type.description.properties);
		const fields = names.filter((n) => !NODE_ONLY.has(n));
		assert.ok(fields.length >= 15, fields.join(','));
		for (const name of fields) assert.ok(documented.has(name), `${name} is not in docs/api.md`);
	});
});
