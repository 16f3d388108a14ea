import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { explain } from './operations/explain';
import { listModels } from './operations/listModels';
import { route } from './operations/route';
import { mapWithConcurrency } from './shared/concurrency';
import { routingFields } from './shared/fields';
import { getModels, getProviders } from './shared/loadOptions';

type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

const OPERATIONS: Record<string, Operation> = { route, explain, listModels };

const DEFAULT_CONCURRENCY = 4;

export class BestRoute implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Route to Best AI',
		name: 'bestRoute',
		icon: { light: 'file:../../icons/bestroute.svg', dark: 'file:../../icons/bestroute.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Send a task to BestRoute, which picks the best AI model for it and explains why',
		defaults: {
			name: 'Route to Best AI',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'bestRouteApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Route',
						value: 'route',
						action: 'Route a task to the best model',
						description: 'Pick the best model, call it and return its answer',
					},
					{
						name: 'Explain',
						value: 'explain',
						action: 'Explain which model would be chosen',
						description: 'Dry run: the decision and estimated cost, without calling a model',
					},
					{
						name: 'List Models',
						value: 'listModels',
						action: 'List the available models',
						description: 'Every model BestRoute can route to, with prices and health',
					},
				],
				default: 'route',
			},
			...routingFields,
		],
	};

	methods = {
		loadOptions: { getModels, getProviders },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = OPERATIONS[operation];
		if (run === undefined) {
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
		}

		const options =
			operation === 'listModels' ? {} : (this.getNodeParameter('options', 0, {}) as IDataObject);
		const limit = Number(options.concurrency ?? DEFAULT_CONCURRENCY);

		const perItem = await mapWithConcurrency(items.length, limit, async (itemIndex) => {
			try {
				return await run.call(this, itemIndex);
			} catch (error) {
				if (this.continueOnFail()) {
					return [{ json: errorJson(error), pairedItem: { item: itemIndex } }];
				}
				throw asNodeError(this, error, itemIndex);
			}
		});
		return [perItem.flat()];
	}
}

/** Errors from transport are already NodeApiErrors; anything else gets the item's context. */
function asNodeError(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

/** Continue On Fail output: `error` is the service's problem `detail`, then the whole problem. */
function errorJson(error: unknown): IDataObject {
	const message = error instanceof Error ? error.message : String(error);
	const problem = (error as { problem?: IDataObject }).problem;
	return problem ? { error: message, ...problem } : { error: message };
}
