import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class BestRouteApi implements ICredentialType {
	name = 'bestRouteApi';

	displayName = 'BestRoute API';

	icon: Icon = { light: 'file:../icons/bestroute.svg', dark: 'file:../icons/bestroute.dark.svg' };

	documentationUrl = 'https://github.com/bestroute/bestroute/tree/main/n8n-node#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:8000',
			placeholder: 'https://bestroute.example.com',
			description: 'Address of your BestRoute server, without a trailing /v1',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'A BestRoute API key (starts with br-). Leave empty only for a fresh local install that has no keys yet.',
		},
	];

	// The service takes the key as a Bearer token on every /v1 route.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// docs/api.md: GET /v1/models answers 200 for a valid key and 401 for a bad one.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/models',
			method: 'GET',
		},
	};
}
