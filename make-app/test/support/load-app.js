'use strict';
// Reads a Make app in the local-development format: `makecomapp.json` names every component and
// the file of each of its codes. Parse failures are collected, not thrown, so one check can report
// every broken file at once.
const fs = require('node:fs');
const path = require('node:path');

const COMPONENT_TYPES = ['connection', 'webhook', 'module', 'rpc', 'function', 'endpoint'];

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * @returns {{dir, manifest, files: Array<{rel, abs, codeType, componentType, componentId, json, error}>,
 *            problems: string[]}}
 */
function loadApp(dir) {
  const problems = [];
  let manifest;
  try {
    manifest = readJson(path.join(dir, 'makecomapp.json'));
  } catch (err) {
    return { dir, manifest: null, files: [], problems: [`makecomapp.json: ${err.message}`] };
  }
  const files = [];
  const add = (rel, codeType, componentType, componentId) => {
    if (typeof rel !== 'string') return;
    const abs = path.join(dir, rel);
    const entry = { rel, abs, codeType, componentType, componentId, json: undefined, error: null };
    if (!fs.existsSync(abs)) {
      entry.error = 'file is missing';
    } else if (/\.json$/.test(rel)) {
      try {
        entry.json = readJson(abs);
      } catch (err) {
        entry.error = `not valid JSON: ${err.message}`;
      }
    }
    if (entry.error) problems.push(`${rel}: ${entry.error}`);
    files.push(entry);
  };
  for (const [codeType, rel] of Object.entries(manifest.generalCodeFiles || {})) {
    add(rel, codeType, null, null);
  }
  for (const componentType of COMPONENT_TYPES) {
    for (const [id, meta] of Object.entries((manifest.components || {})[componentType] || {})) {
      for (const [codeType, rel] of Object.entries((meta && meta.codeFiles) || {})) {
        add(rel, codeType, componentType, id);
      }
    }
  }
  return { dir, manifest, files, problems };
}

/** The parsed code of one component, e.g. code(app, 'module', 'listModels', 'interface'). */
function code(app, componentType, componentId, codeType) {
  const file = app.files.find(
    (f) => f.componentType === componentType && f.componentId === componentId && f.codeType === codeType,
  );
  return file ? file.json : undefined;
}

function generalCode(app, codeType) {
  const file = app.files.find((f) => f.componentType === null && f.codeType === codeType);
  return file ? file.json : undefined;
}

function components(app, componentType) {
  return Object.entries((app.manifest && app.manifest.components[componentType]) || {});
}

module.exports = { loadApp, code, generalCode, components, COMPONENT_TYPES };
