'use strict';

const { apiUrl } = require('../lib/api');
const sample = require('../samples/model.json');

// Hidden trigger behind the model dropdowns (dynamic: 'model.id.model'): the catalog from
// GET /v1/models, one item per model, its id being the model name the service expects.
const perform = async (z, bundle) => {
  const response = await z.request({ url: apiUrl(bundle, '/v1/models'), method: 'GET' });
  return response.data.data.map((item) => ({ ...item, id: item.model }));
};

module.exports = {
  key: 'model',
  noun: 'Model',
  display: {
    label: 'List Models',
    description: 'Lists the models in the BestRoute catalog (powers the model dropdowns).',
    hidden: true,
  },
  operation: {
    perform,
    sample,
    outputFields: [
      { key: 'id', label: 'Model ID', type: 'string' },
      { key: 'model', label: 'Model', type: 'string' },
      { key: 'provider', label: 'Provider', type: 'string' },
      { key: 'available', label: 'Available', type: 'boolean' },
    ],
  },
};
