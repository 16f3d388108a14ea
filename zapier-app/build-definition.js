'use strict';

// `npm run build`: the app is plain CommonJS, so "building" means loading it and exporting the
// compiled definition Zapier would upload (build/definition.json). `zapier-platform build` itself
// cannot run here: after packaging it always calls Zapier's servers for style checks.

const fs = require('node:fs');
const path = require('node:path');
const zapier = require('zapier-platform-core');
const App = require('./index');

const main = async () => {
  const { results: definition } = await zapier.createAppHandler(App)({ command: 'definition', calledFromCli: true });
  const out = path.join(__dirname, 'build', 'definition.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(definition, null, 2)}\n`);
  const count = (group) => Object.keys(definition[group] || {}).length;
  console.log(`wrote ${path.relative(process.cwd(), out)}: ${count('creates')} creates, ${count('triggers')} triggers`);
};

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
