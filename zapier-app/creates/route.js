'use strict';

const { apiUrl } = require('../lib/api');
const { inputFields, inputFieldGroups, buildRouteBody } = require('../lib/route-fields');
const { outputFields } = require('../lib/route-output');
const sample = require('../samples/route.json');

// POST /v1/route: BestRoute picks the model, calls it (falling back on failures) and returns
// the answer with its routing receipt.
const perform = async (z, bundle) => {
  const response = await z.request({
    url: apiUrl(bundle, '/v1/route'),
    method: 'POST',
    body: buildRouteBody(z, bundle.inputData),
  });
  return response.data;
};

module.exports = {
  key: 'route',
  noun: 'Answer',
  display: {
    label: 'Route to Best AI',
    description:
      'Sends a task to the best AI model for it under your constraints and returns the answer, the model used, its cost and why it was chosen.',
  },
  operation: {
    inputFieldGroups,
    inputFields,
    perform,
    sample,
    outputFields,
  },
};
