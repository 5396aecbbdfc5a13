// The explorer page (Ariadne's GraphiQL template) loads GraphiQL, React and graphql from
// https://esm.sh. The test machines reach no CDN, so the browser test answers those requests
// itself: each esm.sh URL the page asks for gets the same package at the same version, bundled
// by esbuild from e2e/node_modules (pinned in package.json). A URL naming a version that is not
// installed is refused and reported, so an Ariadne upgrade that moves GraphiQL fails loudly.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(HERE, 'package.json'));
const LOCAL = '/__local__/';

// What the page imports, by bare specifier; CommonJS packages get named exports listed.
const COMMONJS = ['react', 'react/jsx-runtime', 'react-dom', 'react-dom/client'];
const MODULES = ['graphiql', '@graphiql/react', '@graphiql/toolkit', 'graphql'];
const SETUP_WORKERS = 'graphiql/setup-workers/esm.sh';
// The Monaco workers @graphiql/react's esm.sh setup loads, by what their URLs contain.
const WORKERS = [
  ['json.worker', 'monaco-editor/esm/vs/language/json/json.worker.js'],
  ['graphql.worker', 'monaco-graphql/esm/graphql.worker.js'],
  ['editor.worker', 'monaco-editor/esm/vs/editor/editor.worker.js'],
];

const entryFile = (specifier) => specifier.replace(/[@/.]/g, '_');

export function installedVersion(name) {
  return JSON.parse(readFileSync(join(HERE, 'node_modules', name, 'package.json'), 'utf8'))
    .version;
}

function facadeSource(specifier) {
  if (COMMONJS.includes(specifier)) {
    const names = Object.keys(require(specifier)).filter((name) => name !== 'default');
    return (
      `import module from ${JSON.stringify(specifier)};\n` +
      'export default module;\n' +
      `export const { ${names.join(', ')} } = module;\n`
    );
  }
  return `export * from ${JSON.stringify(specifier)};\n`;
}

async function buildWorker(path) {
  const result = await esbuild.build({
    entryPoints: [require.resolve(path)],
    bundle: true,
    format: 'iife',
    minify: true,
    write: false,
    logLevel: 'silent',
    loader: { '.css': 'empty', '.ttf': 'empty' },
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return result.outputFiles[0].text;
}

// Worker URLs become classes making a Worker from inlined code: a page may not start a
// worker from another origin, and a blob: URL is its own.
const workerPlugin = (workers) => ({
  name: 'esm-sh-workers',
  setup(build) {
    build.onResolve({ filter: /^https:\/\/esm\.sh\// }, (args) => {
      const match = WORKERS.find(([needle]) => args.path.includes(needle));
      if (!match) return { errors: [{ text: `no local copy of ${args.path}` }] };
      return { path: match[0], namespace: 'worker' };
    });
    build.onLoad({ filter: /.*/, namespace: 'worker' }, (args) => ({
      contents:
        `const code = ${JSON.stringify(workers[args.path])};\n` +
        'export default class {\n' +
        '  constructor() {\n' +
        "    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));\n" +
        `    return new Worker(url, { name: ${JSON.stringify(args.path)} });\n` +
        '  }\n' +
        '}\n',
      loader: 'js',
    }));
  },
});

const facadePlugin = {
  name: 'facades',
  setup(build) {
    build.onResolve({ filter: /^facade:/ }, (args) => ({
      path: args.path.slice('facade:'.length),
      namespace: 'facade',
    }));
    build.onLoad({ filter: /.*/, namespace: 'facade' }, (args) => ({
      contents:
        args.path === SETUP_WORKERS
          ? `import ${JSON.stringify('@graphiql/react/setup-workers/esm.sh')};\n`
          : facadeSource(args.path),
      resolveDir: HERE,
      loader: 'js',
    }));
  },
};

/** Bundle every module the page may import into one directory (cached by package-lock.json). */
export async function buildCdn() {
  const lock = readFileSync(join(HERE, 'package-lock.json'));
  const self = readFileSync(fileURLToPath(import.meta.url));
  const stamp = createHash('sha256').update(lock).update(self).digest('hex').slice(0, 16);
  const outdir = join(HERE, 'node_modules', '.cache', 'explorer-cdn', stamp);
  const manifestPath = join(outdir, 'manifest.json');
  if (existsSync(manifestPath)) return { outdir, ...JSON.parse(readFileSync(manifestPath, 'utf8')) };

  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const workers = {};
  for (const [needle, path] of WORKERS) workers[needle] = await buildWorker(path);
  const specifiers = [...COMMONJS, ...MODULES, SETUP_WORKERS];
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(specifiers.map((s) => [entryFile(s), `facade:${s}`])),
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    outdir,
    metafile: true,
    logLevel: 'silent',
    loader: { '.css': 'empty', '.ttf': 'empty' },
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [facadePlugin, workerPlugin(workers)],
  });
  const entries = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const specifier = specifiers.find((s) => output.entryPoint === `facade:${s}`);
    if (specifier) entries[specifier] = { file: file.split('/').pop(), exports: output.exports };
  }
  writeFileSync(manifestPath, JSON.stringify({ entries }));
  return { outdir, entries };
}

// https://esm.sh/@scope/name@1.2.3/sub/path?query -> name, version, subpath
function parseEsmUrl(url) {
  const { pathname } = new URL(url);
  const match = /^\/((?:@[^/]+\/)?[^/@]+)@([^/]+)(\/.*)?$/.exec(pathname);
  return match && { name: match[1], version: match[2], subpath: (match[3] || '').slice(1) };
}

/**
 * A Playwright route handler answering https://esm.sh/** from the local bundles; what it
 * served and what it refused are recorded in `served` and `refused`.
 */
export async function localCdn() {
  const { outdir, entries } = await buildCdn();
  const served = [];
  const refused = [];
  const headers = (type) => ({
    'content-type': type,
    'access-control-allow-origin': '*',
    'cache-control': 'no-store',
  });
  const js = (body) => ({ status: 200, headers: headers('text/javascript; charset=utf-8'), body });
  const refuse = (route, url, reason) => {
    refused.push({ url, reason });
    return route.fulfill({ status: 404, headers: headers('text/plain'), body: reason });
  };

  async function handle(route) {
    const url = route.request().url();
    const { pathname } = new URL(url);
    if (pathname.startsWith(LOCAL)) {
      const file = join(outdir, pathname.slice(LOCAL.length));
      if (!existsSync(file)) return refuse(route, url, 'no such local file');
      return route.fulfill(js(readFileSync(file)));
    }
    const wanted = parseEsmUrl(url);
    if (!wanted) return refuse(route, url, 'not a versioned esm.sh URL');
    let version;
    try {
      version = installedVersion(wanted.name);
    } catch {
      return refuse(route, url, `${wanted.name} is not in e2e/package.json`);
    }
    if (version !== wanted.version) {
      return refuse(
        route,
        url,
        `the page wants ${wanted.name}@${wanted.version}, e2e/ has ${version}: pin it in e2e/package.json`,
      );
    }
    if (wanted.subpath.endsWith('.css')) {
      served.push(url);
      const file = join(HERE, 'node_modules', wanted.name, wanted.subpath);
      return route.fulfill({ status: 200, headers: headers('text/css'), body: readFileSync(file) });
    }
    const specifier = wanted.subpath ? `${wanted.name}/${wanted.subpath}` : wanted.name;
    const entry = entries[specifier];
    if (!entry) return refuse(route, url, `no local bundle of ${specifier}`);
    served.push(url);
    const target = JSON.stringify(`${LOCAL}${entry.file}`);
    const body =
      `export * from ${target};\n` +
      (entry.exports.includes('default') ? `export { default } from ${target};\n` : '');
    return route.fulfill(js(body));
  }

  return { handle, served, refused };
}
