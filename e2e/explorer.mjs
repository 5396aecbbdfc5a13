// Open the GraphQL explorer (Ariadne's GraphiQL) in headless Chromium, type a query and the
// Authorization / X-STOREFRONT-KEY headers into it as a person would, run it, and read the
// result back from the page.
//
//   node explorer.mjs --url http://127.0.0.1:8000/api/graphql --query-file ../tests/spec/bagisto-list.graphql \
//     [--token TOKEN] [--key STOREFRONT_KEY] [--screenshot out.png]
//
// TOKEN and STOREFRONT_KEY may also come from E2E_TOKEN and E2E_STOREFRONT_KEY. Prints one JSON
// object; exits 1 when the explorer did not load, run the query or show its result.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { parse, print } from 'graphql';
import { chromium } from 'playwright-core';

import { localCdn } from './esm-cdn.mjs';

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
    'query-file': { type: 'string' },
    token: { type: 'string', default: process.env.E2E_TOKEN },
    key: { type: 'string', default: process.env.E2E_STOREFRONT_KEY },
    screenshot: { type: 'string' },
  },
});
if (!options.url || !options['query-file']) {
  console.error('usage: node explorer.mjs --url URL --query-file FILE [--token T] [--key K] [--screenshot PNG]');
  process.exit(2);
}

const query = readFileSync(options['query-file'], 'utf8');
const headers = {};
if (options.token) headers.Authorization = `Bearer ${options.token}`;
if (options.key) headers['X-STOREFRONT-KEY'] = options.key;

const report = { url: options.url, steps: [] };
const step = (name) => report.steps.push(name);

/** The text a Monaco editor shows, line by line (Monaco renders spaces as U+00A0). */
async function editorText(page, selector) {
  return page.$eval(selector, (editor) =>
    [...editor.querySelectorAll('.view-lines .view-line')]
      .map((line) => ({ top: parseFloat(line.style.top), text: line.textContent }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text.replace(/\u00a0/g, ' '))
      .join('\n'),
  );
}

/** Replace what a Monaco editor holds: select all and paste, as a person would (typing
 * would let the editor close brackets a second time). */
async function pasteInto(page, selector, text) {
  await page.evaluate((text) => navigator.clipboard.writeText(text), text);
  await page.click(`${selector} .view-lines`);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

const cdn = await localCdn();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let failure = null;
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(TIMEOUT);
  const local = new URL(options.url).origin;
  const offsite = [];
  await context.route('https://esm.sh/**', cdn.handle);
  await context.route(
    (url) => url.origin !== local && url.host !== 'esm.sh' && url.protocol.startsWith('http'),
    (route) => {
      offsite.push(route.request().url());
      return route.abort();
    },
  );
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
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

  const queryEditor = '.graphiql-query-editor .monaco-editor';
  await page.waitForSelector(queryEditor);
  step('GraphiQL rendered');
  // GraphiQL introspects the schema on load (with no headers: that needs no credentials).
  report.introspection = (await introspected).status();
  step('GraphiQL fetched the schema');

  await pasteInto(page, queryEditor, query);
  step('pasted the query');

  await page.click('.graphiql-editor-tools button[data-name="headers"]');
  const headersEditor = '.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]';
  await page.waitForSelector(headersEditor, { state: 'visible' });
  const headersText = JSON.stringify(headers, null, 2);
  await pasteInto(page, headersEditor, headersText);
  await page.waitForFunction(
    ({ selector, count }) =>
      document.querySelectorAll(`${selector} .view-line`).length >= count,
    { selector: headersEditor, count: headersText.split('\n').length },
  );
  report.headersShown = JSON.parse(await editorText(page, headersEditor));
  step('pasted the headers into the Headers tab');

  const path = new URL(options.url).pathname;
  const answered = page.waitForResponse(
    (response) =>
      new URL(response.url()).pathname === path &&
      response.request().method() === 'POST' &&
      !(response.request().postData() || '').includes('IntrospectionQuery'),
  );
  // Back to the top of the query, so that the screenshot shows where it starts.
  await page.click(`${queryEditor} .view-lines`);
  await page.keyboard.press('ControlOrMeta+Home');
  await page.click('button.graphiql-execute-button');
  const response = await answered;
  const request = response.request();
  const sent = JSON.parse(request.postData());
  const sentHeaders = await request.allHeaders();
  report.sent = {
    sameQuery: print(parse(sent.query)) === print(parse(query)),
    authorization: sentHeaders.authorization ?? null,
    storefrontKey: sentHeaders['x-storefront-key'] ?? null,
  };
  report.status = response.status();
  report.answer = await response.json();
  step('ran the query');

  // Read the result as the page shows it: grow the window until the result editor has
  // every line on screen (Monaco draws only what is visible), then parse its text.
  const resultEditor = '.graphiql-response .monaco-editor';
  await page.waitForFunction(
    (selector) => /^\s*\{\s*"/.test(document.querySelector(selector)?.textContent ?? ''),
    resultEditor,
  );
  if (options.screenshot) {
    await page.screenshot({ path: options.screenshot });
    report.screenshot = options.screenshot;
    step('saved a screenshot');
  }
  // Wide enough that no line wraps either (a wrapped line reads back as two): the result
  // pane is about half the window, at under 10 pixels a character.
  const answerLines = JSON.stringify(report.answer, null, 2).split('\n');
  const lines = answerLines.length;
  const longest = Math.max(...answerLines.map((line) => line.length));
  await page.setViewportSize({
    width: Math.max(1280, longest * 20 + 400),
    height: Math.max(900, lines * 20 + 400),
  });
  await page.waitForFunction(
    ({ selector, lines }) => document.querySelectorAll(`${selector} .view-line`).length >= lines,
    { selector: resultEditor, lines },
  );
  const shown = await editorText(page, resultEditor);
  try {
    report.shown = JSON.parse(shown);
  } catch {
    report.shown = shown;
    throw new Error('the result pane does not hold JSON');
  }
  step('read the result from the page');

  report.esm = { served: cdn.served, refused: cdn.refused };
  report.offsite = offsite;
  report.problems = problems;
} catch (error) {
  failure = error;
  report.error = String(error.stack || error);
  report.esm = { served: cdn.served, refused: cdn.refused };
} finally {
  await browser.close();
}

console.log(JSON.stringify(report, null, 2));
process.exit(failure ? 1 : 0);
