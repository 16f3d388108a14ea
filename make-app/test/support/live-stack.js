'use strict';
// Starts the lead's live stack (fake LLM upstream + real BestRoute server) for one test file and
// stops it afterwards. Contract: tests/support/live_stack.py --ready-file PATH writes
// {base_url, api_key, admin_key, upstream_url} when ready and runs until SIGTERM.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { REPO_ROOT, pythonBin } = require('./paths');

const READY_TIMEOUT_MS = 90_000;

async function startStack({ noKeys = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'make-app-stack-'));
  const readyFile = path.join(dir, 'ready.json');
  const script = path.join(REPO_ROOT, 'tests', 'support', 'live_stack.py');
  const args = [script, '--ready-file', readyFile, ...(noKeys ? ['--no-keys'] : [])];
  const proc = spawn(pythonBin(), args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk) => { stderr += chunk; });
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });

  const started = Date.now();
  let ready;
  while (!ready) {
    if (exited) throw new Error(`live_stack.py exited (${JSON.stringify(exited)}) before it was ready:\n${stderr}`);
    if (Date.now() - started > READY_TIMEOUT_MS) {
      proc.kill('SIGKILL');
      throw new Error(`live_stack.py was not ready after ${READY_TIMEOUT_MS} ms:\n${stderr}`);
    }
    if (fs.existsSync(readyFile)) {
      try {
        ready = JSON.parse(fs.readFileSync(readyFile, 'utf8'));
      } catch {
        // written atomically by the script; a parse error means we raced a partial write
      }
    }
    if (!ready) await new Promise((r) => setTimeout(r, 200));
  }

  async function stop() {
    if (!exited) {
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }

  /** Tells the fake upstream to fail, e.g. {model: 'gpt-5-mini', mode: 'error', status: 500, times: 1}. */
  async function control(body) {
    const res = await fetch(`${ready.upstream_url}/_control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`_control answered ${res.status}: ${await res.text()}`);
  }

  /** Creates an API key through the admin API (for budget and rate-limit cases). */
  async function createKey(body) {
    const res = await fetch(`${ready.base_url}/v1/admin/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ready.admin_key}` },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST /v1/admin/keys answered ${res.status}: ${await res.text()}`);
    return res.json();
  }

  return { ...ready, stop, control, createKey };
}

module.exports = { startStack };
