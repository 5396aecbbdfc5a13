// Open the service's GraphQL explorer (GraphiQL, served by the service itself) in headless
// Chromium with every request off the service's origin refused, read the example query and
// the headers template it opens with, put real credentials in the Headers tab as a person
// would, run the example query with GraphiQL's button, and read the result off the page.
//
//   node explorer.mjs --url http://127.0.0.1:8000/api/graphql [--token TOKEN] \
//     [--key STOREFRONT_KEY] [--screenshot out.png]
//
// TOKEN and STOREFRONT_KEY may also come from E2E_TOKEN and E2E_STOREFRONT_KEY. Prints one JSON
// object; exits 1 when the explorer did not load, run the query or show its result.

import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Chromium's own background traffic (updates, sync, QUIC probes) is refused by a closed
// network and slows the launch; none of it is needed here.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TIMEOUT = 30_000;

const { values: options } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string', default: process.env.E2E_TOKEN },
    key: { type: 'string', default: process.env.E2E_STOREFRONT_KEY },
    screenshot: { type: 'string' },
  },
});
if (!options.url) {
  console.error('usage: node explorer.mjs --url URL [--token T] [--key K] [--screenshot PNG]');
  process.exit(2);
}

const headers = {};
if (options.token) headers.Authorization = `Bearer ${options.token}`;
if (options.key) headers['X-STOREFRONT-KEY'] = options.key;

const report = { url: options.url, steps: [] };
const step = (name) => report.steps.push(name);

/** What a CodeMirror editor of GraphiQL's holds. */
const editorValue = (page, selector) =>
  page.$eval(`${selector} .CodeMirror`, (element) => element.CodeMirror.getValue());

/** Replace what an editor holds: select all and paste, as a person would (typing would
 * let the editor close brackets a second time). */
async function pasteInto(page, selector, text) {
  await page.evaluate((text) => navigator.clipboard.writeText(text), text);
  await page.click(`${selector} .CodeMirror-lines`);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let failure = null;
const offsite = [];
const problems = [];
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(TIMEOUT);
  const local = new URL(options.url).origin;
  // The network is closed: anything not from the service itself is refused and reported.
  await context.route(
    (url) => url.origin !== local,
    (route) => {
      offsite.push(route.request().url());
      return route.abort();
    },
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => {
    if (new URL(request.url()).origin === local) problems.push(`failed: ${request.url()}`);
  });

  const introspected = page.waitForResponse(
    (response) =>
      response.request().method() === 'POST' &&
      (response.request().postData() || '').includes('IntrospectionQuery'),
  );
  const opened = await page.goto(options.url);
  report.page = {
    status: opened.status(),
    contentType: opened.headers()['content-type'],
    title: await page.title(),
  };
  step('opened the explorer');

  const queryEditor = '.graphiql-query-editor';
  await page.waitForSelector(`${queryEditor} .CodeMirror`);
  step('GraphiQL rendered');
  report.header = (await page.textContent('.graphiql-logo')).trim();
  report.favicon = (await page.request.get(new URL('/favicon.ico', options.url).href)).status();
  report.introspection = (await introspected).status();
  step('GraphiQL fetched the schema');
  report.query = await editorValue(page, queryEditor);

  // The Headers tab is open on the template; credentials replace it.
  const headersEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
  await page.waitForSelector(`${headersEditor} .CodeMirror`, { state: 'visible' });
  report.headersTemplate = JSON.parse(await editorValue(page, headersEditor));
  await pasteInto(page, headersEditor, JSON.stringify(headers, null, 2));
  report.headersShown = JSON.parse(await editorValue(page, headersEditor));
  step('put the credentials in the Headers tab');

  const path = new URL(options.url).pathname;
  const answered = page.waitForResponse(
    (response) =>
      new URL(response.url()).pathname === path &&
      response.request().method() === 'POST' &&
      !(response.request().postData() || '').includes('IntrospectionQuery'),
  );
  await page.click('button.graphiql-execute-button');
  const response = await answered;
  const request = response.request();
  const sentHeaders = await request.allHeaders();
  report.sent = {
    query: JSON.parse(request.postData()).query,
    authorization: sentHeaders.authorization ?? null,
    storefrontKey: sentHeaders['x-storefront-key'] ?? null,
  };
  report.status = response.status();
  report.answer = await response.json();
  step('ran the query');

  const resultPane = '.graphiql-response';
  await page.waitForFunction(
    (selector) =>
      /^\s*\{\s*"/.test(document.querySelector(`${selector} .CodeMirror`)?.CodeMirror.getValue()),
    resultPane,
  );
  report.shown = JSON.parse(await editorValue(page, resultPane));
  step('read the result from the page');
  if (options.screenshot) {
    await page.screenshot({ path: options.screenshot });
    report.screenshot = options.screenshot;
    step('saved a screenshot');
  }
} catch (error) {
  failure = error;
  report.error = String(error.stack || error);
} finally {
  report.offsite = offsite;
  report.problems = problems;
  await browser.close();
}

console.log(JSON.stringify(report, null, 2));
process.exit(failure ? 1 : 0);
