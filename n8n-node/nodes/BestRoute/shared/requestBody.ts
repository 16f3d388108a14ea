/**
 * Turns one item's node parameters into a POST /v1/route body. Only fields the user set are
 * sent, so the service's defaults (docs/api.md) stay the single source of defaults.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

const CONSTRAINT_NUMBERS = ['max_cost_usd', 'max_latency_ms', 'min_quality'];
const CONSTRAINT_LISTS = [
	'allowed_providers',
	'blocked_providers',
	'allowed_models',
	'blocked_models',
	'required_capabilities',
];

export function buildRouteBody(
	context: IExecuteFunctions,
	itemIndex: number,
	dryRun: boolean,
): IDataObject {
	const body: IDataObject = {
		task: context.getNodeParameter('task', itemIndex) as string,
		strategy: context.getNodeParameter('strategy', itemIndex, 'balanced') as string,
		task_type: context.getNodeParameter('task_type', itemIndex, 'auto') as string,
	};

	const constraints = buildConstraints(
		context.getNodeParameter('constraints', itemIndex, {}) as IDataObject,
	);
	if (Object.keys(constraints).length > 0) body.constraints = constraints;

	if (context.getNodeParameter('response_format', itemIndex, 'text') === 'json_schema') {
		body.response_format = {
			type: 'json_schema',
			schema: parseSchema(context, context.getNodeParameter('schema', itemIndex), itemIndex),
		};
	}

	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	if (typeof options.system === 'string' && options.system.trim() !== '') {
		body.system = options.system;
	}
	if (options.max_output_tokens !== undefined) body.max_output_tokens = options.max_output_tokens;
	if (options.temperature !== undefined) body.temperature = options.temperature;
	const metadata = buildMetadata(options.metadata as IDataObject | undefined);
	if (Object.keys(metadata).length > 0) body.metadata = metadata;

	if (dryRun) body.dry_run = true;
	return body;
}

export function includeReceipt(context: IExecuteFunctions, itemIndex: number): boolean {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return options.include_receipt !== false;
}

function buildConstraints(raw: IDataObject): IDataObject {
	const constraints: IDataObject = {};
	for (const name of CONSTRAINT_NUMBERS) {
		if (raw[name] !== undefined && raw[name] !== null && raw[name] !== '') {
			constraints[name] = Number(raw[name]);
		}
	}
	for (const name of CONSTRAINT_LISTS) {
		const list = toList(raw[name]);
		if (list.length > 0) constraints[name] = list;
	}
	return constraints;
}

/** multiOptions give arrays; an expression may give a comma-separated string instead. */
function toList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String).filter((v) => v !== '');
	if (typeof value === 'string') {
		return value
			.split(',')
			.map((v) => v.trim())
			.filter((v) => v !== '');
	}
	return [];
}

function buildMetadata(raw: IDataObject | undefined): IDataObject {
	const metadata: IDataObject = {};
	const entries = (raw?.entries ?? []) as IDataObject[];
	for (const entry of entries) {
		const key = String(entry.key ?? '').trim();
		if (key !== '') metadata[key] = entry.value as string;
	}
	return metadata;
}

function parseSchema(context: IExecuteFunctions, value: unknown, itemIndex: number): IDataObject {
	if (typeof value === 'object' && value !== null) return value as IDataObject;
	try {
		const parsed = JSON.parse(String(value)) as unknown;
		if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
			return parsed as IDataObject;
		}
	} catch (error) {
		throw new NodeOperationError(context.getNode(), 'JSON Schema is not valid JSON', {
			itemIndex,
			description: (error as Error).message,
		});
	}
	throw new NodeOperationError(context.getNode(), 'JSON Schema must be a JSON object', {
		itemIndex,
	});
}
