// GraphQL Inspector's diff (@graphql-inspector/core, the engine of `graphql-inspector diff`)
// between each platform's own schema for this slice and what the path serves, introspected from
// a live downloads-api: /graphql against Magento 2.4's, /api/graphql against Bagisto's. A client
// or gateway built for the platform must meet no breaking and no dangerous change.
//
//   node inspector.mjs --base http://127.0.0.1:8000 \
//     --magento ../tests/platforms/magento-2.4.graphql --bagisto ../tests/platforms/bagisto-api.graphql
//
// Prints one JSON object, every change by criticality; exits 1 on a breaking or dangerous change,
// or when the cross check (Magento's schema against /api/graphql) finds none to report.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

import { introspect } from './clients.mjs';

const { values: options } = parseArgs({
  options: {
    base: { type: 'string' },
    magento: { type: 'string' },
    bagisto: { type: 'string' },
  },
});
if (!options.base || !options.magento || !options.bagisto) {
  console.error('usage: node inspector.mjs --base URL --magento SDL --bagisto SDL');
  process.exit(2);
}
const base = options.base.replace(/\/$/, '');

async function changes(reference, served) {
  const found = await diff(reference, served);
  const pick = (level) =>
    found
      .filter((change) => change.criticality.level === level)
      .map((change) => ({ type: change.type, path: change.path ?? null, message: change.message }));
  return {
    breaking: pick(CriticalityLevel.Breaking),
    dangerous: pick(CriticalityLevel.Dangerous),
    safe: pick(CriticalityLevel.NonBreaking),
  };
}

const report = { base };
let failed = false;
try {
  const magento = buildSchema(readFileSync(options.magento, 'utf8'));
  const bagisto = buildSchema(readFileSync(options.bagisto, 'utf8'));
  const served = { '/graphql': await introspect(base, '/graphql'), '/api/graphql': await introspect(base, '/api/graphql') };
  report['/graphql'] = await changes(magento, served['/graphql']);
  report['/api/graphql'] = await changes(bagisto, served['/api/graphql']);
  // The check proves something only if it would catch the wrong schema on a path.
  report.crossCheck = (await changes(magento, served['/api/graphql'])).breaking.length;
  failed =
    ['/graphql', '/api/graphql'].some(
      (path) => report[path].breaking.length || report[path].dangerous.length,
    ) || report.crossCheck === 0;
} catch (error) {
  failed = true;
  report.error = String(error.stack || error);
}
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
