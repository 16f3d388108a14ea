import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { buildRouteBody, includeReceipt } from '../shared/requestBody';
import { bestRouteRequest } from '../shared/transport';

/** Route: pick the best model, call it, and return the answer with its routing receipt. */
export async function route(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const body = buildRouteBody(this, itemIndex, false);
	const response = await bestRouteRequest(this, 'POST', '/v1/route', body, itemIndex);
	return [
		{
			json: shapeRouteResponse(response, includeReceipt(this, itemIndex)),
			pairedItem: { item: itemIndex },
		},
	];
}

/** The service already puts the flat fields first; only the receipt is optional. */
export function shapeRouteResponse(response: IDataObject, withReceipt: boolean): IDataObject {
	if (withReceipt) return response;
	const flat = { ...response };
	delete flat.receipt;
	return flat;
}
