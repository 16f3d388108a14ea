'use strict';
/*
 * Runs the app's connection, modules and RPCs against a real HTTP server, the way Make would run
 * them: base + component communication merged, IML rendered (see iml.js), request sent, response
 * turned into output bundles or into a Make error (type + message) by the `response.error`
 * directive (and `valid` for 2xx answers). An APPROXIMATION of Make's engine, limited to the directives this app uses; an
 * unknown directive is an error here rather than being ignored.
 */
const { render, truthy } = require('./iml');
const { code, generalCode, components } = require('./load-app');

const HANDLED_REQUEST = new Set(['url', 'method', 'headers', 'qs', 'body', 'response', 'log', 'baseUrl', 'timeout']);
const HANDLED_RESPONSE = new Set(['output', 'iterate', 'limit', 'error', 'metadata', 'valid']);
const SANITIZED = '******';

/** What Make shows when a module fails: the error type and message from `response.error`. */
class MakeError extends Error {
  constructor(type, message, statusCode, log) {
    super(message);
    this.name = type;
    this.type = type;
    this.statusCode = statusCode;
    this.log = log;
  }
}

function mergeWithBase(base, own) {
  if (!base) return own;
  const merged = { ...base, ...own };
  merged.headers = { ...(base.headers || {}), ...(own.headers || {}) };
  merged.response = { ...(base.response || {}), ...(own.response || {}) };
  if (base.response && base.response.error && own.response && own.response.error) {
    merged.response.error = { ...base.response.error, ...own.response.error };
  }
  const sanitize = [...((base.log && base.log.sanitize) || []), ...((own.log && own.log.sanitize) || [])];
  if (sanitize.length) merged.log = { sanitize };
  delete merged.baseUrl;
  merged.__baseUrl = base.baseUrl;
  return merged;
}

function sanitize(log, paths) {
  const copy = JSON.parse(JSON.stringify(log));
  for (const path of paths) {
    const parts = path.split('.');
    let node = copy;
    for (const part of parts.slice(0, -1)) node = node && node[part];
    if (!node || typeof node !== 'object') continue;
    const last = parts[parts.length - 1].toLowerCase();
    for (const key of Object.keys(node)) if (key.toLowerCase() === last) node[key] = SANITIZED;
  }
  return copy;
}

async function send(comm, ctx) {
  for (const key of Object.keys(comm)) {
    if (!HANDLED_REQUEST.has(key) && key !== '__baseUrl') throw new Error(`directive "${key}" is not supported by this approximation`);
  }
  for (const key of Object.keys(comm.response || {})) {
    if (!HANDLED_RESPONSE.has(key)) throw new Error(`response directive "${key}" is not supported by this approximation`);
  }
  let url = render(comm.url, ctx);
  if (url.startsWith('/')) {
    if (!comm.__baseUrl) throw new Error(`relative url ${url} without a base URL`);
    url = render(comm.__baseUrl, ctx) + url;
  }
  const qs = render(comm.qs || {}, ctx);
  const target = new URL(url);
  for (const [k, v] of Object.entries(qs)) target.searchParams.set(k, String(v));
  const method = render(comm.method || 'GET', ctx);
  const headers = render(comm.headers || {}, ctx);
  let body;
  if (comm.body !== undefined && method !== 'GET') {
    body = render(comm.body, ctx);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(target, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(comm.timeout || 40000),
  });
  const raw = await res.text();
  const contentType = res.headers.get('content-type') || '';
  let parsed = raw;
  if (/json/.test(contentType) && raw) parsed = JSON.parse(raw);
  const resHeaders = Object.fromEntries(res.headers.entries());
  const log = sanitize(
    {
      request: { url: target.toString(), method, headers, body },
      response: { status: res.status, headers: resHeaders, body: parsed },
    },
    (comm.log && comm.log.sanitize) || [],
  );
  return { status: res.status, headers: resHeaders, body: parsed, log, sentBody: body };
}

function raiseFor(comm, res, ctx) {
  const directive = (comm.response && comm.response.error) || {};
  const own = directive[String(res.status)];
  const spec = own || directive;
  const errCtx = { ...ctx, statusCode: res.status, body: res.body, headers: res.headers };
  const message = spec.message ? render(spec.message, errCtx) : `Status Code Error: ${res.status}`;
  const type = render(spec.type || directive.type || 'RuntimeError', errCtx);
  return new MakeError(type, message, res.status, res.log);
}

/** The `valid` directive: a 2xx answer can still be an error (e.g. not the API we expected). */
function checkValid(comm, res, ctx) {
  const valid = comm.response && comm.response.valid;
  if (valid === undefined) return;
  const validCtx = { ...ctx, statusCode: res.status, body: res.body, headers: res.headers };
  const spec = typeof valid === 'object' ? valid : { condition: valid };
  if (truthy(render(spec.condition, validCtx))) return;
  const message = spec.message ? render(spec.message, validCtx) : 'Invalid response';
  throw new MakeError(render(spec.type || 'RuntimeError', validCtx), message, res.status, res.log);
}

function toBundles(comm, res, ctx) {
  const response = comm.response || {};
  const outCtx = { ...ctx, statusCode: res.status, body: res.body, headers: res.headers };
  if (!response.iterate) {
    return [response.output === undefined ? res.body : render(response.output, outCtx)];
  }
  const iterate = typeof response.iterate === 'string' ? { container: response.iterate } : response.iterate;
  const items = render(iterate.container, outCtx);
  if (!Array.isArray(items)) throw new Error('iterate container did not render to an array');
  let bundles = [];
  for (const item of items) {
    const itemCtx = { ...outCtx, item };
    if (iterate.condition !== undefined && !truthy(render(iterate.condition, itemCtx))) continue;
    bundles.push(response.output === undefined ? item : render(response.output, itemCtx));
  }
  if (response.limit !== undefined) {
    const limit = Number(render(response.limit, outCtx));
    if (Number.isFinite(limit)) bundles = bundles.slice(0, limit);
  }
  return bundles;
}

/**
 * Runs a module or an RPC with the given parameters and connection values.
 * @returns {Promise<{bundles: object[], log: object, sentBody: object}>}; throws MakeError.
 */
async function runComponent(app, componentType, componentId, { parameters = {}, connection }) {
  const own = code(app, componentType, componentId, 'communication');
  if (!own) throw new Error(`${componentType} ${componentId} has no communication`);
  const comm = mergeWithBase(generalCode(app, 'base'), own);
  const ctx = { parameters, connection, common: generalCode(app, 'common') || {}, data: {} };
  const res = await send(comm, ctx);
  if (res.status >= 400) throw raiseFor(comm, res, ctx);
  checkValid(comm, res, ctx);
  return { bundles: toBundles(comm, res, ctx), log: res.log, sentBody: res.sentBody };
}

/** Verifies a connection the way Make does when the user saves it (base does not apply). */
async function verifyConnection(app, connectionId, parameters) {
  const comm = code(app, 'connection', connectionId, 'communication');
  const ctx = { parameters, common: {} };
  const res = await send(comm, ctx);
  if (res.status >= 400) throw raiseFor(comm, res, ctx);
  checkValid(comm, res, ctx);
  const outCtx = { ...ctx, statusCode: res.status, body: res.body, headers: res.headers };
  const metadata = comm.response && comm.response.metadata ? render(comm.response.metadata, outCtx) : undefined;
  return { metadata, log: res.log };
}

/** Renders a component's request body without sending it (for checks against the OpenAPI). */
function renderBody(app, componentType, componentId, parameters, connection) {
  const comm = code(app, componentType, componentId, 'communication');
  return render(comm.body, { parameters, connection, common: {} });
}

function connectionOf(app, componentType, componentId) {
  const entry = components(app, componentType).find(([id]) => id === componentId);
  return entry && entry[1].connection;
}

module.exports = { runComponent, verifyConnection, renderBody, connectionOf, MakeError, SANITIZED };
