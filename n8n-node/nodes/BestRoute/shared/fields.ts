/**
 * The request fields of Route and Explain. Parameter names are the service's field names
 * (docs/api.md), so `task_type` here is `task_type` in the HTTP body, in Make and in Zapier.
 */
import type { INodeProperties } from 'n8n-workflow';

export const ROUTE_OPERATIONS = ['route', 'explain'];

const forRouting = { show: { operation: ROUTE_OPERATIONS } };
const forJsonSchema = { show: { operation: ROUTE_OPERATIONS, response_format: ['json_schema'] } };

export const STRATEGIES = ['balanced', 'cheapest', 'best', 'fastest'] as const;

export const TASK_TYPES = [
	'code',
	'math_reasoning',
	'writing_creative',
	'summarization_extraction',
	'factual_qa',
	'classification',
	'long_context',
] as const;

export const CAPABILITIES = ['vision', 'json_schema', 'tools', 'reasoning'] as const;

export const routingFields: INodeProperties[] = [
	{
		displayName: 'Task',
		name: 'task',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. Summarize this email in two sentences: {{ $json.body }}',
		description: 'What the model should do. Use an expression to pull in data from earlier nodes.',
		displayOptions: forRouting,
	},
	{
		displayName: 'Strategy',
		name: 'strategy',
		type: 'options',
		options: [
			{ name: 'Balanced', value: 'balanced', description: 'Best quality for the money' },
			{ name: 'Best', value: 'best', description: 'Highest expected quality' },
			{ name: 'Cheapest', value: 'cheapest', description: 'Lowest cost that is good enough' },
			{ name: 'Fastest', value: 'fastest', description: 'Lowest expected latency' },
		],
		default: 'balanced',
		description: 'How to rank the models that satisfy the constraints',
		displayOptions: forRouting,
	},
	{
		displayName: 'Task Type',
		name: 'task_type',
		type: 'options',
		options: [
			{ name: 'Auto-Detect', value: 'auto' },
			{ name: 'Classification', value: 'classification' },
			{ name: 'Code', value: 'code' },
			{ name: 'Factual Q&A', value: 'factual_qa' },
			{ name: 'Long Context', value: 'long_context' },
			{ name: 'Math and Reasoning', value: 'math_reasoning' },
			{ name: 'Summarization and Extraction', value: 'summarization_extraction' },
			{ name: 'Writing (Creative)', value: 'writing_creative' },
		],
		default: 'auto',
		description: 'Name the kind of task to skip detection',
		displayOptions: forRouting,
	},
	{
		displayName: 'Constraints',
		name: 'constraints',
		type: 'collection',
		placeholder: 'Add Constraint',
		default: {},
		displayOptions: forRouting,
		options: [
			{
				displayName: 'Allowed Model Names or IDs',
				name: 'allowed_models',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getModels' },
				default: [],
				description:
					'Only route to these models. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Allowed Provider Names or IDs',
				name: 'allowed_providers',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getProviders' },
				default: [],
				description:
					'Only route to models of these providers. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Blocked Model Names or IDs',
				name: 'blocked_models',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getModels' },
				default: [],
				description:
					'Never route to these models. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Blocked Provider Names or IDs',
				name: 'blocked_providers',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getProviders' },
				default: [],
				description:
					'Never route to models of these providers. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Max Cost (USD)',
				name: 'max_cost_usd',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 6 },
				default: 0.01,
				description: 'Most this one request may cost, in US dollars',
			},
			{
				displayName: 'Max Latency (Ms)',
				name: 'max_latency_ms',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30000,
				description: 'Deadline for the whole request, fallbacks included, in milliseconds',
			},
			{
				displayName: 'Min Quality',
				name: 'min_quality',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 0.7,
				description: 'Skip models whose quality score for this task type is below this (0 to 1)',
			},
			{
				displayName: 'Required Capabilities',
				name: 'required_capabilities',
				type: 'multiOptions',
				options: [
					{ name: 'JSON Schema Output', value: 'json_schema' },
					{ name: 'Reasoning', value: 'reasoning' },
					{ name: 'Tools', value: 'tools' },
					{ name: 'Vision', value: 'vision' },
				],
				default: [],
				description: 'Only route to models that support all of these',
			},
		],
	},
	{
		displayName: 'Response Format',
		name: 'response_format',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{
				name: 'JSON (Schema)',
				value: 'json_schema',
				description: 'The answer follows a JSON schema and is parsed into `output`',
			},
		],
		default: 'text',
		displayOptions: forRouting,
	},
	{
		displayName: 'JSON Schema',
		name: 'schema',
		type: 'json',
		default:
			'{\n  "type": "object",\n  "properties": {\n    "label": { "type": "string" }\n  },\n  "required": ["label"]\n}',
		description: 'The JSON schema the answer must follow',
		displayOptions: forJsonSchema,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: forRouting,
		options: [
			{
				displayName: 'Include Receipt',
				name: 'include_receipt',
				type: 'boolean',
				default: true,
				description:
					'Whether to add the full routing receipt (reason, candidates, attempts) to each item',
			},
			{
				displayName: 'Max Output Tokens',
				name: 'max_output_tokens',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 200000 },
				default: 1024,
				description: 'Longest answer the model may write, in tokens',
			},
			{
				displayName: 'Max Parallel Requests',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 32 },
				default: 4,
				description: 'How many items are sent to BestRoute at the same time',
			},
			{
				displayName: 'Metadata',
				name: 'metadata',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Entry',
				default: {},
				description: 'Key-value pairs stored with the usage record (e.g. workflow or customer)',
				options: [
					{
						displayName: 'Entry',
						name: 'entries',
						values: [
							{ displayName: 'Key', name: 'key', type: 'string', default: '' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			{
				displayName: 'System Prompt',
				name: 'system',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				description: 'Instructions that frame the task, sent as the system message',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 1 },
				default: 0.7,
				description: 'Sampling temperature from 0 (focused) to 2 (creative)',
			},
		],
	},
];
