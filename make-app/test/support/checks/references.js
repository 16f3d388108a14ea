'use strict';
// Cross-references Make only checks at deploy or run time: connection ids, groups, rpc:// options,
// and every IML variable ({{parameters.x}}, {{connection.x}}) against what is declared.
const { generalCode, code, components, COMPONENT_TYPES } = require('../load-app');
const { expressions, variablePaths } = require('../iml');

/** Declared parameter paths, e.g. `constraints`, `constraints.max_cost_usd`. */
function declaredPaths(defs, prefix = '', out = new Set()) {
  for (const def of defs || []) {
    if (typeof def !== 'object' || !def.name) continue;
    out.add(prefix + def.name);
    if (def.type === 'collection' && Array.isArray(def.spec)) declaredPaths(def.spec, `${prefix}${def.name}.`, out);
  }
  return out;
}

function walkParams(defs, visit, prefix = '') {
  for (const def of defs || []) {
    if (typeof def !== 'object') continue;
    visit(def, prefix + (def.name || '?'));
    if (Array.isArray(def.spec)) walkParams(def.spec, visit, `${prefix}${def.name}.`);
    else if (def.spec && typeof def.spec === 'object') walkParams([def.spec], visit, `${prefix}${def.name}.`);
  }
}

function checkPaths(rel, value, allowed, problems) {
  for (const expr of expressions(value)) {
    let paths;
    try {
      paths = variablePaths(expr);
    } catch (err) {
      problems.push(`${rel}: ${err.message}`);
      continue;
    }
    for (const p of paths) {
      const [root, ...rest] = p.split('.');
      if (!(root in allowed)) {
        problems.push(`${rel}: {{${expr}}} reads "${root}", which is not available here`);
        continue;
      }
      const declared = allowed[root];
      if (declared === true || rest.length === 0) continue;
      // Check the longest declared prefix: `parameters.constraints.max_cost_usd` needs both levels.
      for (let n = 1; n <= rest.length; n += 1) {
        const sub = rest.slice(0, n).join('.');
        const parentIsOpaque = n > 1 && !hasChildren(declared, rest.slice(0, n - 1).join('.'));
        if (parentIsOpaque) break;
        if (!declared.has(sub)) {
          problems.push(`${rel}: {{${expr}}} uses ${root}.${sub}, which is not declared`);
          break;
        }
      }
    }
  }
}

function hasChildren(declared, prefix) {
  for (const p of declared) if (p.startsWith(`${prefix}.`)) return true;
  return false;
}

function referenceProblems(app) {
  const problems = [];
  if (!app.manifest) return ['makecomapp.json is unreadable'];
  const connectionIds = new Set(components(app, 'connection').map(([id]) => id));
  const rpcIds = new Set(components(app, 'rpc').map(([id]) => id));
  const moduleIds = new Set(components(app, 'module').map(([id]) => id));

  // connection / altConnection / webhook references in makecomapp.json
  for (const type of COMPONENT_TYPES) {
    for (const [id, meta] of components(app, type)) {
      for (const key of ['connection', 'altConnection']) {
        if (meta && typeof meta[key] === 'string' && !connectionIds.has(meta[key])) {
          problems.push(`makecomapp.json: ${type} ${id} names ${key} "${meta[key]}", which does not exist`);
        }
      }
      if (['module', 'rpc'].includes(type) && meta && !meta.connection) {
        problems.push(`makecomapp.json: ${type} ${id} has no connection, but the base sends the connection's key`);
      }
    }
  }

  // groups
  const groups = generalCode(app, 'groups') || [];
  const grouped = new Map();
  for (const group of Array.isArray(groups) ? groups : []) {
    for (const id of group.modules || []) {
      if (!moduleIds.has(id)) problems.push(`modules/groups.json: group "${group.label}" lists unknown module "${id}"`);
      grouped.set(id, (grouped.get(id) || 0) + 1);
    }
  }
  for (const id of moduleIds) {
    if (groups.length && grouped.get(id) !== 1) problems.push(`modules/groups.json: module ${id} must be in exactly one group`);
  }

  // rpc:// references in every parameter file
  for (const file of app.files) {
    if (!/params\.iml\.json$|interface\.iml\.json$/.test(file.rel) || !Array.isArray(file.json)) continue;
    walkParams(file.json, (def, name) => {
      const opts = def.options;
      const refs = [];
      if (typeof opts === 'string') refs.push(opts);
      if (opts && typeof opts === 'object' && typeof opts.store === 'string') refs.push(opts.store);
      for (const ref of refs) {
        const m = /^rpc:\/\/([^?]+)/.exec(ref);
        if (!m) problems.push(`${file.rel}: ${name} options "${ref}" is neither a list nor an rpc:// reference`);
        else if (!rpcIds.has(m[1])) problems.push(`${file.rel}: ${name} options use rpc://${m[1]}, which does not exist`);
      }
    });
  }

  // IML variables: every {{parameters.x}} / {{connection.x}} must be declared
  const connParams = new Map(
    components(app, 'connection').map(([id]) => [id, declaredPaths(code(app, 'connection', id, 'params'))]),
  );
  const allConnParams = new Set([...connParams.values()].flatMap((s) => [...s]));
  const response = { body: true, statusCode: true, headers: true, item: true, temp: true, common: true, data: true };
  const relOf = (type, id, codeType) =>
    (app.files.find((f) => f.componentType === type && f.componentId === id && f.codeType === codeType) || {}).rel;

  const base = generalCode(app, 'base');
  if (base) checkPaths('general/base.iml.json', base, { connection: allConnParams, ...response }, problems);

  for (const [id] of components(app, 'connection')) {
    const comm = code(app, 'connection', id, 'communication');
    if (comm) checkPaths(relOf('connection', id, 'communication'), comm, { parameters: connParams.get(id), ...response }, problems);
  }
  for (const [id, meta] of components(app, 'module')) {
    const declared = declaredPaths([
      ...(code(app, 'module', id, 'staticParams') || []),
      ...(code(app, 'module', id, 'mappableParams') || []),
    ]);
    const conn = connParams.get(meta.connection) || new Set();
    const comm = code(app, 'module', id, 'communication');
    if (!comm) continue;
    const rel = relOf('module', id, 'communication');
    checkPaths(rel, comm, { parameters: declared, connection: conn, ...response }, problems);
    // The reverse: a mappable parameter the request never reads is a field that does nothing.
    const used = new Set(
      expressions(comm).flatMap((e) => {
        try {
          return variablePaths(e);
        } catch {
          return [];
        }
      }),
    );
    for (const def of code(app, 'module', id, 'mappableParams') || []) {
      if (![...used].some((p) => p === `parameters.${def.name}` || p.startsWith(`parameters.${def.name}.`))) {
        problems.push(`${relOf('module', id, 'mappableParams')}: parameter ${def.name} is never used by the communication`);
      }
    }
  }
  for (const [id, meta] of components(app, 'rpc')) {
    const declared = declaredPaths(code(app, 'rpc', id, 'params'));
    const comm = code(app, 'rpc', id, 'communication');
    if (comm) {
      checkPaths(relOf('rpc', id, 'communication'), comm, {
        parameters: declared,
        connection: connParams.get(meta.connection) || new Set(),
        ...response,
      }, problems);
    }
  }
  return problems;
}

module.exports = { referenceProblems, declaredPaths, walkParams };
