'use strict';

const { apiUrl } = require('../lib/api');
const sample = require('../samples/provider.json');

// Hidden trigger behind the provider dropdowns (dynamic: 'provider.id.provider'): the distinct
// providers of GET /v1/models, as docs/api.md asks connectors to derive them.
const perform = async (z, bundle) => {
  const response = await z.request({ url: apiUrl(bundle, '/v1/models'), method: 'GET' });
  const byProvider = new Map();
  for (const item of response.data.data) {
    const entry = byProvider.get(item.provider) || { id: item.provider, provider: item.provider, models: 0, available: false };
    entry.models += 1;
    entry.available = entry.available || Boolean(item.available);
    byProvider.set(item.provider, entry);
  }
  return [...byProvider.values()].sort((a, b) => a.provider.localeCompare(b.provider));
};

module.exports = {
  key: 'provider',
  noun: 'Provider',
  display: {
    label: 'List Providers',
    description: 'Lists the providers of the models in the BestRoute catalog (powers the provider dropdowns).',
    hidden: true,
  },
  operation: {
    perform,
    sample,
    outputFields: [
      { key: 'id', label: 'Provider ID', type: 'string' },
      { key: 'provider', label: 'Provider', type: 'string' },
      { key: 'models', label: 'Number of Models', type: 'integer' },
      { key: 'available', label: 'Available', type: 'boolean' },
    ],
  },
};
