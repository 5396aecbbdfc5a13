// Apollo Client (what Magento PWA Studio is built on) against a live downloads-api:
//  - Magento's customerDownloadableProducts query on /graphql, with the customer's token, sent
//    as PWA Studio sends queries: GET (`useGETForQueries`), the text shrunk, `__typename` added to
//    every selection (the cache does it), a `Store` header;
//  - the Bagisto connection on /api/graphql, paged with fetchMore into a cache field merged by
//    relayStylePagination, until hasNextPage is false.
//
//   node apollo.mjs --base http://127.0.0.1:8000 --magento-query ../tests/spec/magento-list.graphql \
//     [--token TOKEN] [--key STOREFRONT_KEY] [--page-size 5]
//
// TOKEN and STOREFRONT_KEY may also come from E2E_TOKEN and E2E_STOREFRONT_KEY. Prints one JSON
// object; exits 1 when a request fails or the pages do not add up to the whole list, newest
// first, each purchase once.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { relayStylePagination } from '@apollo/client/utilities/index.js';
import { stripIgnoredCharacters } from 'graphql';

const { values: options } = parseArgs({
  options: {
    base: { type: 'string' },
    'magento-query': { type: 'string' },
    token: { type: 'string', default: process.env.E2E_TOKEN },
    key: { type: 'string', default: process.env.E2E_STOREFRONT_KEY },
    'page-size': { type: 'string', default: '5' },
  },
});
if (!options.base || !options['magento-query']) {
  console.error('usage: node apollo.mjs --base URL --magento-query FILE [--token T] [--key K] [--page-size N]');
  process.exit(2);
}
const base = options.base.replace(/\/$/, '');
const pageSize = Number(options['page-size']);

const PURCHASES = gql`
  query Purchases($first: Int!, $after: String) {
    customerDownloadableProducts(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          _id
          productName
          status
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
      totalCount
    }
  }
`;

/** What went over the wire: each request's method, path, query text, variables and headers. */
const requests = [];
async function recordingFetch(url, init) {
  const address = new URL(url);
  const sent =
    init.method === 'GET'
      ? {
          query: address.searchParams.get('query'),
          operationName: address.searchParams.get('operationName'),
          variables: JSON.parse(address.searchParams.get('variables') ?? '{}'),
          parameters: [...address.searchParams.keys()],
        }
      : JSON.parse(init.body);
  const headers = Object.fromEntries(new Headers(init.headers));
  requests.push({
    method: init.method,
    path: address.pathname,
    query: sent.query,
    parameters: sent.parameters ?? null,
    operationName: sent.operationName ?? null,
    variables: sent.variables ?? {},
    authorization: headers.authorization ?? null,
    storefrontKey: headers['x-storefront-key'] ?? null,
    store: headers.store ?? null,
  });
  return fetch(url, init);
}

function client(path, headers, typePolicies = {}, linkOptions = {}) {
  return new ApolloClient({
    link: new HttpLink({ uri: `${base}${path}`, headers, fetch: recordingFetch, ...linkOptions }),
    cache: new InMemoryCache({ typePolicies }),
    defaultOptions: { query: { fetchPolicy: 'network-only', errorPolicy: 'none' } },
  });
}

const authorization = options.token ? { Authorization: `Bearer ${options.token}` } : {};
// On a source with storefront keys every path asks for one (docs/behaviour.md §6).
const storefrontKey = options.key ? { 'X-STOREFRONT-KEY': options.key } : {};

async function magento() {
  // The store code header PWA Studio always sends is harmless here.
  const apollo = client(
    '/graphql',
    { ...authorization, ...storefrontKey, Store: 'default' },
    {},
    { useGETForQueries: true, print: (ast, print) => stripIgnoredCharacters(print(ast)) },
  );
  const { data } = await apollo.query({ query: gql(readFileSync(options['magento-query'], 'utf8')) });
  return { items: data.customerDownloadableProducts.items };
}

async function bagisto() {
  const apollo = client('/api/graphql', { ...authorization, ...storefrontKey }, {
    Query: { fields: { customerDownloadableProducts: relayStylePagination(['status']) } },
  });
  const variables = { first: pageSize };
  const watched = apollo.watchQuery({ query: PURCHASES, variables });
  let subscription;
  const firstPage = new Promise((resolve, reject) => {
    subscription = watched.subscribe({
      next: (result) => result.loading || resolve(result),
      error: reject,
    });
  });
  try {
    let { data } = await firstPage;
    const pages = [data.customerDownloadableProducts.edges.length];
    while (data.customerDownloadableProducts.pageInfo.hasNextPage) {
      if (pages.length > 50) throw new Error('hasNextPage never turned false');
      const after = data.customerDownloadableProducts.pageInfo.endCursor;
      const more = await watched.fetchMore({ variables: { after } });
      pages.push(more.data.customerDownloadableProducts.edges.length);
      // The cache field now holds every page so far, merged by relayStylePagination.
      data = apollo.readQuery({ query: PURCHASES, variables });
    }
    const list = data.customerDownloadableProducts;
    return {
      pages,
      ids: list.edges.map((edge) => edge.node._id),
      cursors: list.edges.map((edge) => edge.cursor),
      first: list.edges[0]?.node ?? null,
      hasNextPage: list.pageInfo.hasNextPage,
      totalCount: list.totalCount,
    };
  } finally {
    subscription.unsubscribe();
  }
}

const report = { base };
let failed = false;
try {
  report.magento = await magento();
  report.bagisto = await bagisto();
  const { ids, totalCount } = report.bagisto;
  report.checks = {
    everyPurchase: ids.length === totalCount,
    eachOnce: new Set(ids).size === ids.length,
    newestFirst: ids.every((id, i) => i === 0 || ids[i - 1] > id),
    lastPageSaysSo: report.bagisto.hasNextPage === false,
  };
  failed = Object.values(report.checks).includes(false);
} catch (error) {
  failed = true;
  report.error = String(error.stack || error);
  if (error.graphQLErrors?.length) report.graphQLErrors = error.graphQLErrors;
  if (error.networkError?.result) report.networkError = error.networkError.result;
}
report.requests = requests;
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
