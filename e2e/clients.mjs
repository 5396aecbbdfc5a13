// What the schema scripts share: introspecting a live path as any client does, and the real
// clients' manifest (tests/clients/clients.json: which document each sends, to which path).

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { buildClientSchema, getIntrospectionQuery } from 'graphql';

export const PATHS = ['/graphql', '/api/graphql'];
export const OTHER_PATH = { '/graphql': '/api/graphql', '/api/graphql': '/graphql' };

/** The schema a client builds from a path's introspection (which needs no credentials). */
export async function introspect(base, path) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }) }),
  });
  const body = await response.json();
  if (response.status !== 200 || body.errors) {
    throw new Error(`introspection on ${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return buildClientSchema(body.data);
}

/** The manifest's clients, each with its document's absolute path and text. */
export function loadClients(manifest) {
  const folder = dirname(resolve(manifest));
  return JSON.parse(readFileSync(manifest, 'utf8')).clients.map((client) => {
    const file = join(folder, client.document);
    return { ...client, file, text: readFileSync(file, 'utf8') };
  });
}

/**
 * A client's request headers, with the customer's token and the storefront key filled in.
 * In front of a database with storefront keys every path asks for one (docs/behaviour.md §6), so a
 * Magento storefront deployed there sends it too.
 */
export function headersOf(client, { token = '', key = '' } = {}) {
  const headers = Object.fromEntries(
    Object.entries(client.headers).map(([name, value]) => [
      name,
      value.replace('{token}', token).replace('{storefrontKey}', key),
    ]),
  );
  if (key && !('X-STOREFRONT-KEY' in headers)) headers['X-STOREFRONT-KEY'] = key;
  return headers;
}
