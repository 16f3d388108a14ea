'use strict';
// Interface fields against data (the samples here; live outputs in the live tests), and the
// labels and help texts every user-facing field needs.
const { code, components } = require('../load-app');
const { walkParams } = require('./references');

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

module.exports = { compareToInterface, interfaceProblems, helpProblems };
