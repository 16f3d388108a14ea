'use strict';
// Where things live. The repo root is found relative to this folder (never hard-coded), because
// CI runs from a fresh clone elsewhere; Make's schemas sit in `shared/` beside the repo.
const path = require('node:path');

const APP_DIR = path.resolve(__dirname, '..', '..');
const REPO_ROOT = path.resolve(APP_DIR, '..');

/** The app folder under test; MAKE_APP_DIR points the static checks at a (corrupted) copy. */
function appDir() {
  return process.env.MAKE_APP_DIR ? path.resolve(process.env.MAKE_APP_DIR) : APP_DIR;
}

function schemasDir() {
  return process.env.MAKE_APP_SCHEMAS_DIR
    ? path.resolve(process.env.MAKE_APP_SCHEMAS_DIR)
    : path.resolve(REPO_ROOT, '..', 'shared', 'reference', 'make-app-schemas');
}

function pythonBin() {
  return process.env.BESTROUTE_PYTHON || path.join(REPO_ROOT, '.venv', 'bin', 'python');
}

module.exports = { APP_DIR, REPO_ROOT, appDir, schemasDir, pythonBin };
