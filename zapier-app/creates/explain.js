'use strict';

const { apiUrl } = require('../lib/api');
const { inputFields, inputFieldGroups, buildRouteBody } = require('../lib/route-fields');
const { outputFields } = require('../lib/route-output');
const sample = require('../samples/explain.json');

// POST /v1/route with dry_run: the decision and its estimates, no model is called (and
// nothing is spent), so a Zap can preview or log the choice before committing to it.
const perform = async (z, bundle) => {
  const response = await z.request({
    url: apiUrl(bundle, '/v1/route'),
    method: 'POST',
    body: buildRouteBody(z, bundle.inputData, { dryRun: true }),
  });
  return response.data;
};

module.exports = {
  key: 'explain',
  noun: 'Routing Decision',
  display: {
    label: 'Explain Routing',
    description:
      'Shows which AI model BestRoute would pick for a task and why, with the estimated cost, without calling any model.',
  },
  operation: {
    inputFieldGroups,
    inputFields,
    perform,
    sample,
    outputFields,
  },
};
