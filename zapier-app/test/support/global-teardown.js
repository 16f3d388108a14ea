'use strict';

const { stop } = require('./live-stack');

module.exports = async () => {
  await stop(globalThis.__BESTROUTE_STACK__);
};
