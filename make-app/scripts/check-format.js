'use strict';
// Lint for the app's JSON files: strict JSON (no comments, though IMLJSON allows them, so other
// tools and diffs read them), two-space indentation as JSON.stringify writes it, final newline.
// `node scripts/check-format.js --fix` rewrites them.
const fs = require('node:fs');
const path = require('node:path');

const APP_DIR = path.resolve(__dirname, '..');
const DIRS = ['.', 'general', 'modules', 'connections', 'rpcs'];

function jsonFiles() {
  const out = [];
  const walk = (rel, recurse) => {
    for (const entry of fs.readdirSync(path.join(APP_DIR, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory() && recurse) walk(child, true);
      else if (entry.isFile() && entry.name.endsWith('.json') && entry.name !== 'package-lock.json') out.push(child);
    }
  };
  for (const dir of DIRS) walk(dir, dir !== '.');
  return out;
}

const fix = process.argv.includes('--fix');
const bad = [];
for (const rel of jsonFiles()) {
  const text = fs.readFileSync(path.join(APP_DIR, rel), 'utf8');
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    bad.push(`${rel}: not strict JSON (${err.message})`);
    continue;
  }
  const formatted = `${JSON.stringify(data, null, 2)}\n`;
  if (text !== formatted) {
    if (fix) fs.writeFileSync(path.join(APP_DIR, rel), formatted);
    else bad.push(`${rel}: not formatted (run: node scripts/check-format.js --fix)`);
  }
}
if (bad.length) {
  console.error(bad.join('\n'));
  process.exit(1);
}
console.log(`check-format: ${jsonFiles().length} JSON files ok`);
