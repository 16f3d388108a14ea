import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { bestRouteRequest } from '../shared/transport';

/** List Models: one output item per model in the service's catalog (GET /v1/models). */
export async function listModels(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const response = await bestRouteRequest(this, 'GET', '/v1/models', undefined, itemIndex);
	const models = (response.data ?? []) as IDataObject[];
	return models.map((model) => ({ json: model, pairedItem: { item: itemIndex } }));
}
