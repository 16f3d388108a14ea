'use strict';

// Assembles the BestRoute Zapier app; every piece lives in its own file.
const authentication = require('./authentication');
const addApiKey = require('./middleware/add-api-key');
const problemToError = require('./middleware/problem-to-error');
const route = require('./creates/route');
const explain = require('./creates/explain');
const model = require('./triggers/model');
const provider = require('./triggers/provider');

module.exports = {
  version: require('./package.json').version,
  platformVersion: require('zapier-platform-core').version,

  authentication,
  // Let 429s reach problemToError (core would otherwise throw its own ThrottledError first).
  flags: { throwForThrottlingEarly: false },
  beforeRequest: [addApiKey],
  afterResponse: [problemToError],

  triggers: {
    [model.key]: model,
    [provider.key]: provider,
  },
  creates: {
    [route.key]: route,
    [explain.key]: explain,
  },
};
