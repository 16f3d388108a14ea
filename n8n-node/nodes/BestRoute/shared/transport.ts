/**
 * The one place the node talks HTTP. Every call goes through n8n's
 * httpRequestWithAuthentication, so the credential's `authenticate` block adds the Bearer key.
 *
 * Errors are translated here, once: a problem+json body from the service (docs/api.md, "Errors")
 * becomes a NodeApiError whose message is the problem's `detail` (e.g. "budget exhausted"), and
 * whose `problem` property keeps the whole body for Continue On Fail output. Network failures
 * (service down, bad base URL) become a NodeApiError too, so callers handle a single type.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

export const CREDENTIAL_TYPE = 'bestRouteApi';

export type BestRouteContext = IExecuteFunctions | ILoadOptionsFunctions;

/** A problem+json body as the service sends it; fields beyond these are kept as they come. */
export interface Problem extends IDataObject {
	type: string;
	title: string;
	status: number;
	detail: string;
}

export type BestRouteApiError = NodeApiError & { problem: Problem };

interface FullResponse {
	body: unknown;
	statusCode: number;
	headers: IDataObject;
}

export async function baseUrlOf(context: BestRouteContext): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
}

export async function bestRouteRequest(
	context: BestRouteContext,
	method: IHttpRequestMethods,
	path: string,
	body?: IDataObject,
	itemIndex?: number,
): Promise<IDataObject> {
	const options: IHttpRequestOptions = {
		method,
		url: `${await baseUrlOf(context)}${path}`,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (body !== undefined) options.body = body;

	let response: FullResponse;
	try {
		response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			CREDENTIAL_TYPE,
			options,
		)) as FullResponse;
	} catch (error) {
		// n8n hands back an existing NodeApiError unchanged, so wrap a plain object to set our message.
		const reason = (error as Error).message;
		throw new NodeApiError(context.getNode(), { message: reason } as JsonObject, {
			message: `Could not reach BestRoute at ${options.url}: ${reason}`,
			itemIndex,
		});
	}

	const parsed = parseBody(response.body);
	if (response.statusCode >= 200 && response.statusCode < 300) {
		return parsed;
	}
	throw problemError(context, toProblem(parsed, response.statusCode), itemIndex);
}

function parseBody(body: unknown): IDataObject {
	if (typeof body === 'string') {
		try {
			return JSON.parse(body) as IDataObject;
		} catch {
			return { detail: body };
		}
	}
	return (body ?? {}) as IDataObject;
}

function toProblem(body: IDataObject, statusCode: number): Problem {
	return {
		...body,
		type: String(body.type ?? 'about:blank'),
		title: String(body.title ?? `HTTP ${statusCode}`),
		status: Number(body.status ?? statusCode),
		detail: String(body.detail ?? body.title ?? `BestRoute answered HTTP ${statusCode}`),
	};
}

function problemError(
	context: BestRouteContext,
	problem: Problem,
	itemIndex: number | undefined,
): BestRouteApiError {
	const fieldErrors = Array.isArray(problem.errors)
		? (problem.errors as IDataObject[]).map((e) => `${String(e.field)}: ${String(e.message)}`)
		: [];
	const description = [`${problem.title} (HTTP ${problem.status})`, ...fieldErrors].join('\n');
	const error = new NodeApiError(context.getNode(), problem as unknown as JsonObject, {
		message: problem.detail,
		description,
		httpCode: String(problem.status),
		itemIndex,
	});
	return Object.assign(error, { problem });
}
