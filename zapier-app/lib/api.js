'use strict';

// Where the BestRoute service lives, derived from the connection. Every request of this app
// goes through apiUrl(), so a base URL typed with or without a trailing slash (or with the
// `/v1` suffix people copy from the docs) reaches the same endpoints.

const baseUrl = (bundle) => {
  const raw = String((bundle.authData && bundle.authData.base_url) || '').trim();
  return raw.replace(/\/+$/, '').replace(/\/v1$/, '');
};

const apiUrl = (bundle, path) => `${baseUrl(bundle)}${path}`;

module.exports = { baseUrl, apiUrl };
