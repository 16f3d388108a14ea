'use strict';

// One live BestRoute stack for the whole jest run (starting it costs seconds); its connection
// info reaches the test files through a JSON file named in BESTROUTE_LIVE_FILE.

const fs = require('node:fs');
const path = require('node:path');
const { start } = require('./live-stack');

module.exports = async () => {
  const stack = await start();
  const file = path.join(stack.dir, 'live.json');
  const { child: _child, ...info } = stack;
  fs.writeFileSync(file, JSON.stringify(info));
  process.env.BESTROUTE_LIVE_FILE = file;
  globalThis.__BESTROUTE_STACK__ = stack;
};
