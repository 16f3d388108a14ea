import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { buildRouteBody, includeReceipt } from '../shared/requestBody';
import { bestRouteRequest } from '../shared/transport';
import { shapeRouteResponse } from './route';

/**
 * Explain: the same request as Route with `dry_run: true`. The service decides and estimates the
 * cost but calls no model, so `answer` is null and `estimated_cost_usd` carries the estimate.
 */
export async function explain(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const body = buildRouteBody(this, itemIndex, true);
	const response = await bestRouteRequest(this, 'POST', '/v1/route', body, itemIndex);
	return [
		{
			json: shapeRouteResponse(response, includeReceipt(this, itemIndex)),
			pairedItem: { item: itemIndex },
		},
	];
}
