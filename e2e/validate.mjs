// The real clients' documents against the schema each path shows: introspect both GraphQL paths
// of a live downloads-api, build a client schema from each answer with graphql-js's
// buildClientSchema, and validate every client's document (tests/clients/clients.json) and every
// reference document (tests/spec/) against its own path, where it must pass, and against the
// other path, where it must fail: a document for one platform is not valid on the other.
//
//   node validate.mjs --base http://127.0.0.1:8000 --clients ../tests/clients/clients.json \
//     --spec-dir ../tests/spec
//
// Prints one JSON object; exits 1 when a view is not a valid schema, a document fails on its own
// path or passes on the other, or a query for a field the path lacks passes.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { parse, validate, validateSchema } from 'graphql';

import { OTHER_PATH, PATHS, introspect, loadClients } from './clients.mjs';

const { values: options } = parseArgs({
  options: {
    base: { type: 'string' },
    clients: { type: 'string' },
    'spec-dir': { type: 'string' },
  },
});
if (!options.base || !options.clients || !options['spec-dir']) {
  console.error('usage: node validate.mjs --base URL --clients clients.json --spec-dir DIR');
  process.exit(2);
}
const base = options.base.replace(/\/$/, '');

// A field each path lacks, and a page size of the wrong type.
const WRONG = {
  '/graphql': '{ customerDownloadableProducts { items { productName } } }',
  '/api/graphql': '{ customerDownloadableProducts(first: "ten") { totalCount } }',
};

function check(schema, source) {
  try {
    return validate(schema, parse(source)).map((error) => error.message);
  } catch (error) {
    return [`${error.message}`];
  }
}

const report = { base };
let failed = false;
try {
  const schemas = Object.fromEntries(
    await Promise.all(PATHS.map(async (path) => [path, await introspect(base, path)])),
  );
  report.schemas = Object.fromEntries(
    PATHS.map((path) => [
      path,
      {
        valid: validateSchema(schemas[path]).length === 0,
        queryFields: Object.keys(schemas[path].getQueryType().getFields()),
      },
    ]),
  );
  // The reference documents: Magento's on /graphql, Bagisto's on /api/graphql.
  const spec = readdirSync(options['spec-dir'])
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => ({
      name: `spec/${name}`,
      path: name.startsWith('magento') ? '/graphql' : '/api/graphql',
      text: readFileSync(join(options['spec-dir'], name), 'utf8'),
    }));
  const documents = [...loadClients(options.clients), ...spec];
  report.documents = Object.fromEntries(
    documents.map((document) => [
      document.name,
      {
        path: document.path,
        own: check(schemas[document.path], document.text),
        other: check(schemas[OTHER_PATH[document.path]], document.text),
      },
    ]),
  );
  report.wrong = Object.fromEntries(PATHS.map((path) => [path, check(schemas[path], WRONG[path])]));
  failed =
    Object.values(report.schemas).some((schema) => !schema.valid) ||
    documents.length === 0 ||
    Object.values(report.documents).some((result) => result.own.length || !result.other.length) ||
    Object.values(report.wrong).some((errors) => errors.length === 0);
} catch (error) {
  failed = true;
  report.error = String(error.stack || error);
}
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
