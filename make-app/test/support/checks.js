'use strict';
// Static checks of a Make app in the local-development format. Each returns a list of problems
// (strings naming the file); an empty list means the check passed. The tests run them on the real
// app and on deliberately corrupted copies, which must produce problems.
const fs = require('node:fs');
const path = require('node:path');
const { validateFile } = require('./make-schemas');
const { code, generalCode, components, COMPONENT_TYPES } = require('./load-app');
const { expressions, variablePaths } = require('./iml');

// Make's own ID rules (from its VS Code extension): modules and RPCs are camelCase, 4-48 chars.
const ID_RULES = { module: /^[a-zA-Z][0-9a-zA-Z]{3,47}$/, rpc: /^[a-zA-Z][0-9a-zA-Z]{3,47}$/ };
// The extension's file names: `<type>s/<kebab-id>/<kebab-id>.<code>.<ext>`.
const CODE_FILE_NAMES = {
  communication: 'communication.iml.json',
  params: 'params.iml.json',
  staticParams: 'static-params.iml.json',
  mappableParams: 'mappable-params.iml.json',
  interface: 'interface.iml.json',
  samples: 'samples.iml.json',
};
const REQUIRED_CODES = {
  connection: ['communication', 'params'],
  module: ['communication', 'staticParams', 'mappableParams', 'interface', 'samples'],
  rpc: ['communication', 'params'],
};
// Files in the app folder that are not part of the Make app.
const NOT_APP = new Set(['package.json', 'package-lock.json', 'eslint.config.js', 'README.md', 'ci.sh', '.gitignore']);
const NOT_APP_DIRS = new Set(['node_modules', 'test', 'scripts', '.secrets']);

const kebab = (id) => id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

function schemaProblems(app) {
  const problems = [...app.problems];
  if (!app.manifest) return problems;
  problems.push(...validateFile('makecomapp.json', app.manifest));
  for (const file of app.files) if (file.json !== undefined) problems.push(...validateFile(file.rel, file.json));
  return problems;
}

function listFiles(dir, rel = '') {
  const out = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!(rel === '' && NOT_APP_DIRS.has(entry.name))) out.push(...listFiles(dir, child));
    } else if (!(rel === '' && (NOT_APP.has(entry.name) || entry.name === 'makecomapp.json'))) {
      out.push(child);
    }
  }
  return out;
}

function layoutProblems(app) {
  const problems = [];
  if (!app.manifest) return ['makecomapp.json is unreadable'];
  for (const type of ['module', 'rpc']) {
    for (const [id] of components(app, type)) {
      if (!ID_RULES[type].test(id)) problems.push(`makecomapp.json: ${type} id "${id}" breaks Make's id rule ${ID_RULES[type]}`);
    }
  }
  for (const [type, required] of Object.entries(REQUIRED_CODES)) {
    for (const [id, meta] of components(app, type)) {
      const files = (meta && meta.codeFiles) || {};
      for (const codeType of required) {
        if (!files[codeType]) problems.push(`makecomapp.json: ${type} ${id} has no ${codeType} file`);
      }
      for (const [codeType, rel] of Object.entries(files)) {
        const expected = `${type}s/${kebab(id)}/${kebab(id)}.${CODE_FILE_NAMES[codeType]}`;
        if (CODE_FILE_NAMES[codeType] && rel !== expected) {
          problems.push(`makecomapp.json: ${type} ${id} ${codeType} should be ${expected} (Make's layout), not ${rel}`);
        }
      }
    }
  }
  const referenced = new Set(app.files.map((f) => f.rel));
  for (const rel of listFiles(app.dir)) {
    if (!referenced.has(rel)) problems.push(`${rel}: not referenced from makecomapp.json (Make would never see it)`);
  }
  return problems;
}

// ---- cross-references ------------------------------------------------------------------------

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

// ---- interface vs samples --------------------------------------------------------------------

function typeProblem(def, value, where) {
  if (value === null || def.type === 'any') return null;
  const is = {
    text: typeof value === 'string',
    number: typeof value === 'number',
    integer: Number.isInteger(value),
    uinteger: Number.isInteger(value) && value >= 0,
    boolean: typeof value === 'boolean',
    collection: typeof value === 'object' && !Array.isArray(value),
    array: Array.isArray(value),
    date: typeof value === 'string' && !Number.isNaN(Date.parse(value)),
    url: typeof value === 'string',
  }[def.type];
  if (is === undefined) return `${where}: interface type ${def.type} is not checked by these tests`;
  return is ? null : `${where}: sample value ${JSON.stringify(value)} is not of interface type ${def.type}`;
}

/** Problems between interface field definitions and one sample/output object. */
function compareToInterface(defs, value, where, { requireAll = true } = {}) {
  const problems = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${where}: expected an object, got ${JSON.stringify(value)}`];
  }
  const byName = new Map(defs.map((d) => [d.name, d]));
  for (const key of Object.keys(value)) {
    if (!byName.has(key)) problems.push(`${where}.${key}: present in the data but not declared in the interface`);
  }
  for (const def of defs) {
    const at = `${where}.${def.name}`;
    if (!def.label) problems.push(`${at}: interface field has no label`);
    if (!(def.name in value)) {
      if (requireAll) problems.push(`${at}: declared in the interface but missing from the data`);
      continue;
    }
    const v = value[def.name];
    const tp = typeProblem(def, v, at);
    if (tp) {
      problems.push(tp);
      continue;
    }
    if (v === null) continue;
    if (def.type === 'collection' && Array.isArray(def.spec) && def.spec.length) {
      problems.push(...compareToInterface(def.spec, v, at, { requireAll }));
    }
    if (def.type === 'array' && def.spec) {
      v.forEach((item, i) => {
        if (Array.isArray(def.spec)) problems.push(...compareToInterface(def.spec, item, `${at}[${i}]`, { requireAll }));
        else {
          const ip = typeProblem(def.spec, item, `${at}[${i}]`);
          if (ip) problems.push(ip);
        }
      });
    }
  }
  return problems;
}

function interfaceProblems(app) {
  const problems = [];
  if (!app.manifest) return ['makecomapp.json is unreadable'];
  for (const [id] of components(app, 'module')) {
    const iface = code(app, 'module', id, 'interface');
    const sample = code(app, 'module', id, 'samples');
    if (!Array.isArray(iface) || sample === undefined) continue;
    const rel = `module ${id} samples`;
    problems.push(...compareToInterface(iface, sample, rel));
  }
  return problems;
}

/** Every user-facing parameter needs a label and a help text. */
function helpProblems(app) {
  const problems = [];
  for (const file of app.files) {
    if (!/(mappable-params|static-params|\.params)\.iml\.json$/.test(file.rel) || !Array.isArray(file.json)) continue;
    walkParams(file.json, (def, name) => {
      if (!def.label) problems.push(`${file.rel}: ${name} has no label`);

      if (!def.help) problems.push(`${file.rel}: ${name} has no help text`);
    });
  }
  return problems;
}

function allProblems(app) {
  return [
    ...schemaProblems(app),
    ...layoutProblems(app),
    ...referenceProblems(app),
    ...interfaceProblems(app),
    ...helpProblems(app),
  ];
}

module.exports = {
  schemaProblems,
  layoutProblems,
  referenceProblems,
  interfaceProblems,
  helpProblems,
  compareToInterface,
  declaredPaths,
  allProblems,
};
