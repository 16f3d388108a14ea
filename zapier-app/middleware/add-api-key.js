'use strict';

// beforeRequest: BestRoute takes the API key as a Bearer token on every /v1/* route.
// The key is optional on a fresh single-user install, so no header is sent without one.
const addApiKey = (request, z, bundle) => {
  const key = bundle.authData && bundle.authData.api_key;
  request.headers = request.headers || {};
  if (key) {
    request.headers.Authorization = `Bearer ${key}`;
  }
  request.headers.Accept = 'application/json, application/problem+json';
  return request;
};

module.exports = addApiKey;
