'use strict';
// A broken app must fail the tests. Each case corrupts one file of a copy of the app, then
// (1) the check library must report the problem, and (2) the static test files, run against the
// copy in a child process, must exit non-zero.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { APP_DIR } = require('../support/paths');
const { loadApp } = require('../support/load-app');
const { allProblems } = require('../support/checks');

const APP_PARTS = ['makecomapp.json', 'general', 'modules', 'connections', 'rpcs'];
const STATIC_TESTS = ['schemas.test.js', 'references.test.js', 'interface.test.js'].map((f) => path.join(__dirname, f));

// Node's test runner marks its children with NODE_TEST_CONTEXT; a nested run must not inherit it,
// or it reports to us instead of exiting with its own status.
function childEnv(dir) {
  const env = { ...process.env, MAKE_APP_DIR: dir };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function runStaticTests(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', ...STATIC_TESTS], { env: childEnv(dir) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function copyApp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'make-app-corrupt-'));
  for (const part of APP_PARTS) fs.cpSync(path.join(APP_DIR, part), path.join(dir, part), { recursive: true });
  return dir;
}

function editJson(dir, rel, edit) {
  const file = path.join(dir, rel);
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  const result = edit(data);
  fs.writeFileSync(file, JSON.stringify(result === undefined ? data : result, null, 2));
}

const ROUTE = 'modules/route-to-best-ai/route-to-best-ai';
const CASES = [
  {
    name: 'a file that is not JSON',
    mutate: (d) => fs.writeFileSync(path.join(d, `${ROUTE}.mappable-params.iml.json`), '[{"name": "task",'),
    expect: /mappable-params\.iml\.json: not valid JSON/,
  },
  {
    name: 'a code file that is missing',
    mutate: (d) => fs.rmSync(path.join(d, `${ROUTE}.samples.iml.json`)),
    expect: /samples\.iml\.json: file is missing/,
  },
  {
    name: 'an unknown directive in a communication',
    mutate: (d) => editJson(d, `${ROUTE}.communication.iml.json`, (c) => { c.bodyy = c.body; }),
    expect: /communication\.iml\.json \(api\.json\): .*additional properties/,
  },
  {
    name: 'a parameter type Make does not have',
    mutate: (d) => editJson(d, `${ROUTE}.mappable-params.iml.json`, (p) => { p[0].type = 'textarea'; }),
    expect: /mappable-params\.iml\.json \(parameters\.json\): \/0\/type/,
  },
  {
    name: 'an error type Make does not have',
    mutate: (d) => editJson(d, 'general/base.iml.json', (b) => { b.response.error['401'].type = 'AuthError'; }),
    expect: /base\.iml\.json \(base\.json\): \/response\/error\/401\/type/,
  },
  {
    name: 'a module type Make does not have',
    mutate: (d) => editJson(d, 'makecomapp.json', (m) => { m.components.module.listModels.moduleType = 'list'; }),
    expect: /makecomapp\.json \(makecomapp\.schema\.json\): \/components\/module\/listModels\/moduleType/,
  },
  {
    name: 'a module that names a connection that does not exist',
    mutate: (d) => editJson(d, 'makecomapp.json', (m) => { m.components.module.routeToBestAi.connection = 'bestroute2'; }),
    expect: /routeToBestAi names connection "bestroute2", which does not exist/,
  },
  {
    name: 'a dropdown that calls an RPC that does not exist',
    mutate: (d) => editJson(d, `${ROUTE}.mappable-params.iml.json`, (p) => {
      p.find((x) => x.name === 'constraints').spec.find((x) => x.name === 'allowed_models').options = 'rpc://listModelz';
    }),
    expect: /rpc:\/\/listModelz, which does not exist/,
  },
  {
    name: 'a body that reads a parameter nobody declared',
    mutate: (d) => editJson(d, `${ROUTE}.communication.iml.json`, (c) => { c.body.top_p = '{{parameters.top_p}}'; }),
    expect: /uses parameters\.top_p, which is not declared/,
  },
  {
    name: 'a body that reads an undeclared collection field',
    mutate: (d) => editJson(d, `${ROUTE}.communication.iml.json`, (c) => { c.body.x = '{{parameters.constraints.max_tokens}}'; }),
    expect: /uses parameters\.constraints\.max_tokens, which is not declared/,
  },
  {
    name: 'a base that reads a connection field nobody declared',
    mutate: (d) => editJson(d, 'general/base.iml.json', (b) => { b.headers.Authorization = 'Bearer {{connection.token}}'; }),
    expect: /uses connection\.token, which is not declared/,
  },
  {
    name: 'an IML function the renderer does not know',
    mutate: (d) => editJson(d, `${ROUTE}.communication.iml.json`, (c) => { c.body.task = '{{trim(parameters.task)}}'; }),
    expect: /IML function trim\(\) is not supported/,
  },
  {
    name: 'a mappable parameter the request never sends',
    mutate: (d) => editJson(d, `${ROUTE}.communication.iml.json`, (c) => { delete c.body.temperature; }),
    expect: /parameter temperature is never used by the communication/,
  },
  {
    name: 'a sample field the interface does not declare',
    mutate: (d) => editJson(d, `${ROUTE}.samples.iml.json`, (s) => { s.tokens = 3; }),
    expect: /samples\.tokens: present in the data but not declared/,
  },
  {
    name: 'an interface field missing from the sample',
    mutate: (d) => editJson(d, `${ROUTE}.samples.iml.json`, (s) => { delete s.receipt.candidates[0].score; }),
    expect: /samples\.receipt\.candidates\[0\]\.score: declared in the interface but missing/,
  },
  {
    name: 'a sample value of the wrong type',
    mutate: (d) => editJson(d, `${ROUTE}.samples.iml.json`, (s) => { s.cost_usd = '0.0004'; }),
    expect: /samples\.cost_usd: sample value "0\.0004" is not of interface type number/,
  },
  {
    name: 'a stray component file makecomapp.json does not name',
    mutate: (d) => fs.writeFileSync(path.join(d, 'modules/route-to-best-ai/route-to-best-ai.epoch.iml.json'), '{}'),
    expect: /route-to-best-ai\.epoch\.iml\.json: not referenced from makecomapp\.json/,
  },
  {
    name: 'a group that lists a module that does not exist',
    mutate: (d) => editJson(d, 'modules/groups.json', (g) => { g[0].modules.push('routeToWorstAi'); }),
    expect: /lists unknown module "routeToWorstAi"/,
  },
  {
    name: 'a module id that breaks Make\'s id rule',
    mutate: (d) => editJson(d, 'makecomapp.json', (m) => {
      m.components.module['list-models'] = m.components.module.listModels;
      delete m.components.module.listModels;
    }),
    expect: /module id "list-models" breaks Make's id rule/,
  },
  {
    name: 'a parameter without help text',
    mutate: (d) => editJson(d, 'connections/bestroute/bestroute.params.iml.json', (p) => { delete p[1].help; }),
    expect: /bestroute\.params\.iml\.json: apiKey has no help text/,
  },
];

const dirs = [];
test.after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

test('the untouched copy passes every check (so the cases below fail for their corruption)', async () => {
  const dir = copyApp();
  dirs.push(dir);
  assert.deepEqual(allProblems(loadApp(dir)), []);
  const run = await runStaticTests(dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

// Two at a time: each case starts a node process, and the machine has two cores.
test.describe('corrupted copies', { concurrency: 2 }, () => {
  for (const c of CASES) {
    test(`fails on ${c.name}`, async () => {
      const dir = copyApp();
      dirs.push(dir);
      c.mutate(dir);
      const problems = allProblems(loadApp(dir));
      assert.ok(problems.some((p) => c.expect.test(p)), `expected a problem matching ${c.expect}, got:\n${problems.join('\n')}`);
      const run = await runStaticTests(dir);
      assert.notEqual(run.status, 0, 'the static test files must fail on the corrupted copy');
      assert.match(run.stdout, /# fail [1-9]/);
    });
  }
});
