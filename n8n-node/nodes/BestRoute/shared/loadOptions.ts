/**
 * Dropdown sources for the constraints: models from `data[].model` and providers from the
 * distinct `data[].provider` of GET /v1/models, as docs/api.md asks of every connector.
 */
import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { bestRouteRequest } from './transport';

async function fetchModels(context: ILoadOptionsFunctions): Promise<IDataObject[]> {
	const response = await bestRouteRequest(context, 'GET', '/v1/models');
	return (response.data ?? []) as IDataObject[];
}

export async function getModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const models = await fetchModels(this);
	return models
		.map((m) => ({
			name: String(m.model),
			value: String(m.model),
			description: `${String(m.provider)}: $${String(m.input_cost_per_1m)} in / $${String(m.output_cost_per_1m)} out per 1M tokens`,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getProviders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const models = await fetchModels(this);
	const providers = [...new Set(models.map((m) => String(m.provider)))].sort();
	return providers.map((provider) => ({ name: provider, value: provider }));
}
