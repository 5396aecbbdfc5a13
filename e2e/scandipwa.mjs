// ScandiPWA's downloadable products page against a live downloads-api, with store codes in
// URLs (docs/platforms.md §3.2): the document its query builder serialises, POSTed
// by `fetchQuery` → `executePost` to `getStoreCodePath() + '/graphql'`, with its headers
// (`Content-Currency` always, `Accept`, the customer's token); any `errors` key rejects the
// promise and the page shows `errors[0].message`.
//
//   node scandipwa.mjs --base http://127.0.0.1:8000 --store fr --currency EUR \
//     --document ../tests/clients/scandipwa.graphql [--token TOKEN]
//
// Prints one JSON object; exits 1 when the request is rejected (the page would show the message).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    base: { type: 'string' },
    store: { type: 'string' },
    currency: { type: 'string' },
    document: { type: 'string' },
    token: { type: 'string', default: process.env.E2E_TOKEN ?? '' },
  },
});
if (!options.base || !options.store || !options.currency || !options.document) {
  console.error('usage: node scandipwa.mjs --base URL --store CODE --currency CUR --document FILE [--token T]');
  process.exit(2);
}

// `prepareRequest` builds `${type}${args}{${fields}}` with no spaces; the file holds exactly that.
const query = readFileSync(options.document, 'utf8').trim();
const endpoint = `${options.base.replace(/\/$/, '')}/${options.store}/graphql`;
const headers = {
  'Content-Type': 'application/json',
  'Content-Currency': options.currency,
  Accept: 'application/json',
  // appendTokenToHeaders: the bearer token, or an empty Authorization when signed out.
  Authorization: options.token ? `Bearer ${options.token}` : '',
};

const response = await fetch(endpoint, {
  method: 'POST',
  body: JSON.stringify({ query, variables: {} }),
  headers,
});
const body = await response.json();
const report = {
  request: { path: new URL(endpoint).pathname, query, headers: Object.keys(headers) },
  status: response.status,
  cacheControl: response.headers.get('cache-control'),
};
if (body.errors) {
  // checkForErrors rejects; getErrorMessage shows the first message.
  console.log(JSON.stringify({ ...report, rejected: true, message: body.errors[0].message, body }));
  process.exit(1);
}
const items = body.data.customerDownloadableProducts.items;
console.log(JSON.stringify({ ...report, rejected: false, items }));
