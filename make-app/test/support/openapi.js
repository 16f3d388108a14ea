'use strict';
// The live service's /openapi.json as JSON-Schema validators. FastAPI emits OpenAPI 3.1, whose
// schemas are JSON Schema 2020-12; `#/components/schemas/X` references are rewritten to `$defs`
// so Ajv can compile them without the rest of the document.
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

function rewriteRefs(value) {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', '#/$defs/') : rewriteRefs(v);
    }
    return out;
  }
  return value;
}

async function loadOpenApi(baseUrl) {
  const res = await fetch(`${baseUrl}/openapi.json`);
  if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
  const doc = await res.json();
  const defs = rewriteRefs(doc.components.schemas);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  const resolve = (schema) => {
    let s = schema;
    while (s && s.$ref) s = defs[s.$ref.replace('#/$defs/', '')];
    return s;
  };
  const validatorFor = (schema) => ajv.compile({ $defs: defs, ...rewriteRefs(schema) });
  const operation = (method, route) => {
    const op = doc.paths[route] && doc.paths[route][method];
    if (!op) throw new Error(`the service has no ${method.toUpperCase()} ${route}`);
    return op;
  };
  const requestSchema = (method, route) =>
    rewriteRefs(operation(method, route).requestBody.content['application/json'].schema);
  const responseSchema = (method, route, status = '200') =>
    rewriteRefs(operation(method, route).responses[status].content['application/json'].schema);

  /** Problems of a value against a schema, as strings. */
  const check = (schema, value) => {
    const validate = validatorFor(schema);
    return validate(value) ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
  };

  return { doc, defs, resolve, requestSchema, responseSchema, check };
}

/** A schema's object properties, looking through $ref and anyOf-with-null. */
function objectProps(api, schema) {
  let s = api.resolve(schema);
  if (s && s.anyOf) s = api.resolve(s.anyOf.find((x) => api.resolve(x).type === 'object' || api.resolve(x).properties));
  return s && s.properties ? s : null;
}

module.exports = { loadOpenApi, objectProps };
