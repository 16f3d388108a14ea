'use strict';

// The fields of POST /v1/route (docs/api.md), shared by the "Route to Best AI" and
// "Explain Routing" creates. Keys are the service's own names; a nested service field is
// spelled `parent__child` (Zapier's convention for nested keys) and nested back by buildRouteBody.

const STRATEGIES = {
  balanced: 'Balanced (quality vs. cost vs. speed)',
  cheapest: 'Cheapest',
  best: 'Best quality',
  fastest: 'Fastest',
};

const TASK_TYPES = {
  auto: 'Detect automatically',
  code: 'Code',
  math_reasoning: 'Math & reasoning',
  writing_creative: 'Creative writing',
  summarization_extraction: 'Summarization & extraction',
  factual_qa: 'Factual Q&A',
  classification: 'Classification',
  long_context: 'Long context',
};

const CAPABILITIES = {
  vision: 'Vision',
  json_schema: 'JSON schema output',
  tools: 'Tool calling',
  reasoning: 'Reasoning',
};

const RESPONSE_TYPES = { text: 'Text', json_schema: 'JSON (follows the schema below)' };

const inputFieldGroups = [
  { key: 'constraints', label: 'Constraints' },
  { key: 'output', label: 'Output' },
];

const inputFields = [
  {
    key: 'task',
    label: 'Task',
    type: 'text',
    required: true,
    helpText: 'What the AI should do, e.g. "Summarize this email in two sentences: ..."',
  },
  { key: 'system', label: 'System Prompt', type: 'text', helpText: 'Optional instructions for the model.' },
  {
    key: 'strategy',
    label: 'Strategy',
    choices: STRATEGIES,
    default: 'balanced',
    helpText: 'How BestRoute ranks the models that satisfy your constraints.',
  },
  {
    key: 'task_type',
    label: 'Task Type',
    choices: TASK_TYPES,
    default: 'auto',
    helpText: 'Leave on automatic detection unless you know the kind of task.',
  },
  {
    key: 'constraints__max_cost_usd',
    label: 'Max Cost (USD)',
    type: 'number',
    group: 'constraints',
    helpText: 'Only use models whose estimated cost for this request is below this amount.',
  },
  {
    key: 'constraints__max_latency_ms',
    label: 'Max Latency (ms)',
    type: 'integer',
    group: 'constraints',
    // Zapier gives an action 30 s; a deadline below that gets BestRoute's own clear 504 (and
    // skips models too slow to make it) instead of Zapier's "did not respond in time".
    default: '25000',
    helpText:
      'A deadline for the whole request, fallbacks included. Zapier stops waiting for an action after 30 seconds, so keep it below 30000.',
  },
  {
    key: 'constraints__allowed_providers',
    label: 'Allowed Providers',
    list: true,
    dynamic: 'provider.id.provider',
    group: 'constraints',
  },
  {
    key: 'constraints__blocked_providers',
    label: 'Blocked Providers',
    list: true,
    dynamic: 'provider.id.provider',
    group: 'constraints',
  },
  {
    key: 'constraints__allowed_models',
    label: 'Allowed Models',
    list: true,
    dynamic: 'model.id.model',
    group: 'constraints',
  },
  {
    key: 'constraints__blocked_models',
    label: 'Blocked Models',
    list: true,
    dynamic: 'model.id.model',
    group: 'constraints',
  },
  {
    key: 'constraints__required_capabilities',
    label: 'Required Capabilities',
    list: true,
    choices: CAPABILITIES,
    group: 'constraints',
  },
  {
    key: 'constraints__min_quality',
    label: 'Minimum Quality (0-1)',
    type: 'number',
    group: 'constraints',
    helpText: "Skip models whose quality score for this task type is below this value.",
  },
  {
    key: 'response_format__type',
    label: 'Response Format',
    choices: RESPONSE_TYPES,
    default: 'text',
    group: 'output',
  },
  {
    key: 'response_format__schema',
    label: 'JSON Schema',
    type: 'code',
    group: 'output',
    helpText: 'For the JSON response format: the JSON Schema the answer must follow. The parsed answer is returned as Structured Output.',
  },
  {
    key: 'max_output_tokens',
    label: 'Max Output Tokens',
    type: 'integer',
    group: 'output',
    helpText: 'Between 1 and 200000 (the service default is 1024).',
  },
  { key: 'temperature', label: 'Temperature', type: 'number', group: 'output', helpText: 'Between 0 and 2.' },
  {
    key: 'metadata',
    label: 'Metadata',
    dict: true,
    helpText: 'Key/value pairs stored with the usage record, e.g. `zap: weekly-digest`.',
  },
];

const NUMBER_KEYS = new Set([
  'constraints__max_cost_usd',
  'constraints__min_quality',
  'temperature',
]);
const INTEGER_KEYS = new Set(['constraints__max_latency_ms', 'max_output_tokens']);
const LIST_KEYS = new Set(
  inputFields.filter((field) => field.list).map((field) => field.key),
);

const isBlank = (value) =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

// Zapier usually hands typed values over already cast; mapped values from earlier steps can
// still arrive as text ("0.5", "openai,anthropic"), so cast here rather than let the service 422.
const cast = (z, key, value) => {
  if (NUMBER_KEYS.has(key) || INTEGER_KEYS.has(key)) {
    const number = Number(value);
    if (!Number.isFinite(number) || (INTEGER_KEYS.has(key) && !Number.isInteger(number))) {
      throw new z.errors.Error(`${key} must be a ${INTEGER_KEYS.has(key) ? 'whole ' : ''}number, got "${value}".`, 'invalid-field', 400);
    }
    return number;
  }
  if (LIST_KEYS.has(key)) {
    const items = Array.isArray(value) ? value : String(value).split(',');
    return items.map((item) => String(item).trim()).filter(Boolean);
  }
  return value;
};

const parseSchema = (z, value) => {
  if (typeof value === 'object') return value;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new z.errors.Error(`JSON Schema is not valid JSON: ${err.message}`, 'invalid-field', 400);
  }
};

// inputData (flat Zapier keys) -> the JSON body of POST /v1/route. Blank fields are left out
// so the service's defaults apply.
const buildRouteBody = (z, inputData, { dryRun = false } = {}) => {
  const body = {};
  for (const field of inputFields) {
    const raw = inputData[field.key];
    if (isBlank(raw)) continue;
    const value = field.key === 'response_format__schema' ? parseSchema(z, raw) : cast(z, field.key, raw);
    if (isBlank(value)) continue;
    const [parent, child] = field.key.split('__');
    if (child) {
      body[parent] = { ...body[parent], [child]: value };
    } else {
      body[parent] = value;
    }
  }
  if (body.response_format && body.response_format.schema && !body.response_format.type) {
    body.response_format.type = 'json_schema';
  }
  if (dryRun) body.dry_run = true;
  return body;
};

module.exports = { inputFields, inputFieldGroups, buildRouteBody };
