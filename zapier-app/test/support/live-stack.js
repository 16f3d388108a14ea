'use strict';

// Starts the real BestRoute service with its fake LLM upstream (tests/support/live_stack.py,
// owned by the service) and stops it again. Paths are resolved from this folder, so the same
// code runs from /work/main and from a fresh CI clone.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(REPO_ROOT, 'tests', 'support', 'live_stack.py');
const READY_TIMEOUT_MS = 180_000; // the service starts in ~5-15 s here; CI machines are busier

const python = () => process.env.BESTROUTE_PYTHON || path.join(REPO_ROOT, '.venv', 'bin', 'python');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const start = async ({ args = [] } = {}) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bestroute-zapier-'));
  const readyFile = path.join(dir, 'ready.json');
  const logFile = path.join(dir, 'live_stack.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(python(), [SCRIPT, '--ready-file', readyFile, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', log, log],
  });
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) break;
    if (fs.existsSync(readyFile)) {
      try {
        const info = JSON.parse(fs.readFileSync(readyFile, 'utf8'));
        return { ...info, pid: child.pid, child, dir, logFile };
      } catch (_err) {
        // half-written: try again
      }
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  const output = fs.readFileSync(logFile, 'utf8').slice(-3000);
  throw new Error(
    `live_stack.py did not become ready (${exited ? `exited ${JSON.stringify(exited)}` : 'timeout'}); ` +
      `python=${python()}\n${output}`,
  );
};

const stop = async (stack) => {
  if (!stack || !stack.child || stack.child.exitCode !== null) return;
  const gone = new Promise((resolve) => stack.child.once('exit', resolve));
  stack.child.kill('SIGTERM');
  const timer = setTimeout(() => stack.child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
};

module.exports = { start, stop, REPO_ROOT };
