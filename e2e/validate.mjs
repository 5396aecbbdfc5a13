// The reference documents' queries against the schema a client sees: introspect both GraphQL
// paths of a live downloads-api, build a client schema from the answer with graphql-js's
// buildClientSchema, and validate every *.graphql file of a folder against it. A query that
// asks for a field the schema lacks must be reported, or the check proves nothing.
//
//   node validate.mjs --base http://127.0.0.1:8000 --spec-dir ../tests/spec
//
// Prints one JSON object; exits 1 when the paths disagree, a document has an error, or the
// wrong query passes.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import {
  buildClientSchema,
  getIntrospectionQuery,
  parse,
  printSchema,
  validate,
  validateSchema,
} from 'graphql';

const { values: options } = parseArgs({
  options: {
    base: { type: 'string' },
    'spec-dir': { type: 'string' },
  },
});
if (!options.base || !options['spec-dir']) {
  console.error('usage: node validate.mjs --base URL --spec-dir DIR');
  process.exit(2);
}
const base = options.base.replace(/\/$/, '');

// A ScandiPWA-only field, and a page size of the wrong type.
const WRONG = `{
  customerDownloadableProducts(first: "ten") {
    items { title }
  }
}`;

async function introspect(path) {
  // No credentials: a request asking only for __schema needs neither token nor storefront key.
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
  const schemas = { '/graphql': await introspect('/graphql'), '/api/graphql': await introspect('/api/graphql') };
  const schema = schemas['/graphql'];
  report.schema = {
    valid: validateSchema(schema).length === 0,
    samePrintOnBothPaths: printSchema(schema) === printSchema(schemas['/api/graphql']),
    queryFields: Object.keys(schema.getQueryType().getFields()),
  };
  const files = readdirSync(options['spec-dir'])
    .filter((name) => name.endsWith('.graphql'))
    .sort();
  report.documents = Object.fromEntries(
    files.map((name) => [name, check(schema, readFileSync(join(options['spec-dir'], name), 'utf8'))]),
  );
  report.wrong = { query: WRONG, errors: check(schema, WRONG) };
  failed =
    !report.schema.valid ||
    !report.schema.samePrintOnBothPaths ||
    files.length === 0 ||
    Object.values(report.documents).some((errors) => errors.length > 0) ||
    report.wrong.errors.length === 0;
} catch (error) {
  failed = true;
  report.error = String(error.stack || error);
}
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
