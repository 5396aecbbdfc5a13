// GraphQL Code Generator (typescript + typescript-operations), as a storefront's build runs it:
// for each real client (tests/clients/clients.json), the schema comes from the introspection of
// the path that client calls on a live downloads-api, the operations from the client's document.
// Then the TypeScript compiler checks the generated types (`tsc --noEmit`, strict), along with
// the answer the service actually gives each client, typed as the generated operation type: a
// field the types lack, a null they do not allow or a wrong scalar fails the compile.
//
//   node codegen.mjs --base http://127.0.0.1:8000 --clients ../tests/clients/clients.json \
//     --out /tmp/generated [--token TOKEN] [--key STOREFRONT_KEY]
//
// Prints one JSON object; exits 1 when generation or compilation fails.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { generate } from '@graphql-codegen/cli';

import { headersOf, loadClients } from './clients.mjs';

const { values: options } = parseArgs({
  options: {
    base: { type: 'string' },
    clients: { type: 'string' },
    out: { type: 'string' },
    token: { type: 'string', default: '' },
    key: { type: 'string', default: '' },
  },
});
if (!options.base || !options.clients || !options.out) {
  console.error('usage: node codegen.mjs --base URL --clients clients.json --out DIR [--token T] [--key K]');
  process.exit(2);
}
const base = options.base.replace(/\/$/, '');
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');

/** What the service answers the client, sent as the client sends it. */
async function answer(client) {
  const headers = headersOf(client, options);
  let response;
  if (client.method === 'GET') {
    const url = new URL(`${base}${client.path}`);
    url.searchParams.set('query', client.text.trim());
    url.searchParams.set('variables', JSON.stringify(client.variables ?? {}));
    response = await fetch(url, { headers });
  } else {
    const body = { query: client.text };
    if (client.variables !== null) body.variables = client.variables;
    response = await fetch(`${base}${client.path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  }
  const result = await response.json();
  if (response.status !== 200 || result.errors) {
    throw new Error(`${client.name}: HTTP ${response.status} ${JSON.stringify(result)}`);
  }
  return result.data;
}

const report = { base, clients: {} };
let failed = false;
try {
  mkdirSync(options.out, { recursive: true });
  for (const client of loadClients(options.clients)) {
    const output = join(options.out, `${client.name}.ts`);
    await generate(
      {
        schema: `${base}${client.path}`, // introspected by the generator's own URL loader
        documents: [client.file],
        generates: { [output]: { plugins: ['typescript', 'typescript-operations'] } },
        silent: true,
        errorsOnly: true,
      },
      true,
    );
    const generated = readFileSync(output, 'utf8');
    const types = [...generated.matchAll(/^export type (\w+) = /gm)].map((match) => match[1]);
    const operationType = types.find((name) => name.endsWith('Query') && name !== 'Query');
    const data = await answer(client);
    writeFileSync(
      join(options.out, `${client.name}.answer.ts`),
      `import type { ${operationType} } from './${client.name}';\n\n` +
        `export const answer: ${operationType} = ${JSON.stringify(data, null, 2)};\n`,
    );
    report.clients[client.name] = { path: client.path, types, operationType };
  }
  writeFileSync(
    join(options.out, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        types: [],
      },
      include: ['*.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [TSC, '--noEmit', '-p', join(options.out, 'tsconfig.json')], {
    encoding: 'utf8',
  });
  report.tsc = { exit: tsc.status, output: `${tsc.stdout}${tsc.stderr}`.trim() };
  failed = tsc.status !== 0 || Object.keys(report.clients).length === 0;
} catch (error) {
  failed = true;
  report.error = String(error.stack || error);
}
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
