// A small harness that runs the built package through n8n's real execution engine:
// n8n-core's PackageDirectoryLoader loads dist/ exactly as n8n loads a community package,
// WorkflowExecute runs a Manual Trigger -> (items) -> Route to Best AI workflow, and
// LoadOptionsContext runs the node's loadOptions methods. n8n's own test helpers are not
// published, so the credentials helper below is ours; it applies the credential type's generic
// `authenticate` block with n8n's expression engine, as n8n's server does.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// n8n-core keeps its instance settings under N8N_USER_FOLDER; keep them out of the user's home.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'bestroute-n8n-core-'));
process.env.N8N_ENCRYPTION_KEY ??= 'bestroute-n8n-node-tests';
// Node errors are asserted by the tests; n8n's logger would only repeat them on stdout.
process.env.N8N_LOG_LEVEL ??= 'silent';

const require = createRequire(import.meta.url);
const core = require('n8n-core');
const workflowLib = require('n8n-workflow');

export const PACKAGE_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const PACKAGE_NAME = 'n8n-nodes-bestroute';
export const NODE_TYPE = `${PACKAGE_NAME}.bestRoute`;
export const CREDENTIAL_TYPE = 'bestRouteApi';
const TRIGGER_TYPE = 'test.itemsTrigger';
const CREDENTIAL_ID = 'cred-1';

let loaderPromise;

/** Loads dist/ the way n8n loads an installed community package (once per process). */
export function loadPackage() {
	loaderPromise ??= (async () => {
		const loader = new core.PackageDirectoryLoader(PACKAGE_DIR);
		await loader.loadAll();
		return loader;
	})();
	return loaderPromise;
}

/** Emits the test's input items, standing in for whatever node feeds the BestRoute node. */
class ItemsTrigger {
	constructor(items) {
		// n8n calls execute() with its ExecuteContext as `this`, so the items live in a closure.
		this.execute = async () => [items.map((json) => ({ json }))];
		this.description = {
			displayName: 'Items',
			name: TRIGGER_TYPE,
			group: ['trigger'],
			version: 1,
			description: 'Emits fixed items',
			defaults: { name: 'Items' },
			inputs: [],
			outputs: ['main'],
			properties: [],
		};
	}
}

class NodeTypes {
	constructor(loader, items) {
		this.loader = loader;
		this.trigger = new ItemsTrigger(items);
	}

	getByName(type) {
		if (type === TRIGGER_TYPE) return this.trigger;
		return this.loader.getNode(type.replace(`${PACKAGE_NAME}.`, '')).type;
	}

	getByNameAndVersion(type, version) {
		return workflowLib.NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}

	getKnownTypes() {
		return {};
	}
}

class CredentialsHelper extends workflowLib.ICredentialsHelper {
	constructor(loader, data) {
		super();
		this.loader = loader;
		this.data = data;
	}

	credentialType(name) {
		return this.loader.getCredential(name).type;
	}

	getParentTypes() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}

	async authenticate(credentials, typeName, requestOptions, workflow, node) {
		const { authenticate } = this.credentialType(typeName);
		if (!authenticate) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate.type !== 'generic')
			throw new Error(`unsupported authenticate ${authenticate.type}`);
		for (const [target, entries] of Object.entries(authenticate.properties)) {
			requestOptions[target] ??= {};
			for (const [key, value] of Object.entries(entries)) {
				requestOptions[target][resolveExpression(workflow, node, key, credentials)] =
					resolveExpression(workflow, node, value, credentials);
			}
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials() {
		throw new Error('not used by this harness');
	}

	async getDecrypted(_additionalData, nodeCredentials, type) {
		if (type !== CREDENTIAL_TYPE || nodeCredentials.id !== CREDENTIAL_ID) {
			throw new Error(`no credentials ${type}/${nodeCredentials.id}`);
		}
		return { ...this.data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type) {
		return this.credentialType(type).properties;
	}
}

function resolveExpression(workflow, node, value, credentials) {
	if (!workflowLib.isExpression(value)) return value;
	const resolved = workflow.expression.getSimpleParameterValue(node, value, 'internal', {
		$credentials: credentials,
	});
	return resolved === undefined || resolved === null ? '' : String(resolved);
}

function additionalData(credentialsHelper, workflowData, parameters) {
	const hooks = new core.ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	return {
		credentialsHelper,
		hooks,
		executionId: 'test-execution',
		currentNodeParameters: parameters,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		variables: {},
		userId: 'test-user',
		executionTimeoutTimestamp: undefined,
		setExecutionStatus() {},
		sendDataToUI() {},
		logAiEvent() {},
		async executeWorkflow() {
			throw new Error('not used by this harness');
		},
		async getRunExecutionData() {
			return undefined;
		},
		async startRunnerTask() {
			throw new Error('not used by this harness');
		},
	};
}

function buildWorkflow(loader, { items, parameters, continueOnFail = false }) {
	const nodes = [
		{
			id: 'n-trigger',
			name: 'Items',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'n-bestroute',
			name: 'Route to Best AI',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters,
			credentials: { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: 'BestRoute' } },
			...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
		},
	];
	const connections = {
		Items: { main: [[{ node: 'Route to Best AI', type: 'main', index: 0 }]] },
	};
	const workflowData = {
		id: 'wf-test',
		name: 'BestRoute test',
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
	const workflow = new workflowLib.Workflow({
		...workflowData,
		nodeTypes: new NodeTypes(loader, items),
		staticData: {},
	});
	return { workflow, workflowData };
}

/**
 * Runs the node once through WorkflowExecute and returns
 * { items: [json...], error: the node's error or undefined, runData }.
 */
export async function runNode({ credentials, parameters, items = [{}], continueOnFail = false }) {
	const loader = await loadPackage();
	const { workflow, workflowData } = buildWorkflow(loader, { items, parameters, continueOnFail });
	const data = additionalData(new CredentialsHelper(loader, credentials), workflowData, parameters);
	const execution = new core.WorkflowExecute(data, 'manual');
	const run = await execution.run({ workflow, startNode: workflow.getNode('Items') });
	const taskData = run.data.resultData.runData['Route to Best AI']?.[0];
	if (taskData === undefined) {
		throw new Error(
			`the node did not run: ${JSON.stringify(run.data.resultData.error ?? run.status)}`,
		);
	}
	return {
		items: (taskData.data?.main?.[0] ?? []).map((item) => item.json),
		pairedItems: (taskData.data?.main?.[0] ?? []).map((item) => item.pairedItem),
		error: taskData.error,
		status: run.status,
	};
}

/** Runs one of the node's loadOptions methods through n8n-core's LoadOptionsContext. */
export async function loadOptions({ credentials, method, parameters = { operation: 'route' } }) {
	const loader = await loadPackage();
	const { workflow, workflowData } = buildWorkflow(loader, { items: [], parameters });
	const node = workflow.getNode('Route to Best AI');
	const data = additionalData(new CredentialsHelper(loader, credentials), workflowData, parameters);
	const context = new core.LoadOptionsContext(workflow, node, data, 'constraints');
	const nodeType = workflow.nodeTypes.getByNameAndVersion(NODE_TYPE, 1);
	return await nodeType.methods.loadOptions[method].call(context);
}

/**
 * Runs the credential type's `test` request the way n8n's credential tester does: resolve the
 * request's expressions against the credentials, apply `authenticate`, send it with n8n's HTTP
 * helper. Returns the HTTP status.
 */
export async function testCredential(credentials) {
	const loader = await loadPackage();
	const { workflow, workflowData } = buildWorkflow(loader, { items: [], parameters: {} });
	const node = workflow.getNode('Route to Best AI');
	const helper = new CredentialsHelper(loader, credentials);
	const { request } = helper.credentialType(CREDENTIAL_TYPE).test;
	const options = {
		method: request.method ?? 'GET',
		baseURL: resolveExpression(workflow, node, request.baseURL, credentials),
		url: resolveExpression(workflow, node, request.url, credentials),
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: true,
	};
	await helper.authenticate(credentials, CREDENTIAL_TYPE, options, workflow, node);
	const data = additionalData(helper, workflowData, {});
	const context = new core.LoadOptionsContext(workflow, node, data, 'test');
	const response = await context.helpers.httpRequest(options);
	return response.statusCode;
}
