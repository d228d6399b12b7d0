#!/usr/bin/env node
// Usage: node e2e/swagger-ui.test.mjs BASE_URL   (make e2e starts a fresh server and passes its URL)
//
// Drives the Swagger UI in Debian's Chromium (headless, via playwright-core) the way a person
// would: open /, expand PUT /api/apps/{name}, "Try it out", fill in the name and the body,
// "Execute", read the response the UI shows; then GET, list, DELETE and GET again the same way;
// then POST /api/txn: a transaction that commits (one seq for its puts), and one whose check fails.
// A direct HTTP request checks after each write that the server's state matches what the UI did.
// Saves target/screenshots/swagger-ui.png (the GET with its response; into docs/ with SCREENSHOTS=docs, so a test
// run leaves the tracked files alone); on a failure, target/e2e-failure.png.
// Exits 1 with a message on the first failed check; everything has an explicit time limit.
// $CHROMIUM names another Chromium or Chrome than Debian's /usr/bin/chromium.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Debian's Chromium as root needs --no-sandbox; the rest keep it from opening connections of its own
// (updates, sync, QUIC), which are refused here.
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOTAL_MS = 110_000;   // the whole test
const LAUNCH_MS = 30_000;   // starting the browser
const LOAD_MS = 20_000;     // a page load, and the Swagger UI rendering the API
const STEP_MS = 15_000;     // one click, fill or wait for the UI to show a response
const FETCH_MS = 10_000;    // one direct HTTP request

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENSHOT = join(root, process.env.SCREENSHOTS === 'docs' ? 'docs' : 'target/screenshots', 'swagger-ui.png');
const FAILURE_SCREENSHOT = join(root, 'target', 'e2e-failure.png');

// A name with a '/' and a space: the UI must send it percent-encoded, and the server decode it.
const NAME = 'e2e/my app';
const DATA = { color: 'blue', retries: 3, tags: ['e2e', 'grüße'], nested: { ok: true, none: null } };
// The apps of the transaction step: two it writes, one it only checks for absence.
const TXN_NAMES = ['e2e/txn a', 'e2e/txn b', 'e2e/txn absent'];

class CheckFailed extends Error {}

const started = Date.now();

const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node e2e/swagger-ui.test.mjs BASE_URL   (e.g. http://127.0.0.1:8080)');
  process.exit(2);
}

let context;        // the browser
let page;
let profile;        // its fresh --user-data-dir
const apiTraffic = [];  // what the page sent to /api/ and what came back, for failure messages
const pageErrors = [];

function ok(what) {
  console.log(`ok   ${what}`.padEnd(96) + ` ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`);
}

function check(what, condition, detail) {
  if (!condition) {
    throw new CheckFailed(`${what}: ${typeof detail === 'function' ? detail() : detail}`);
  }
  ok(what);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`${what}: no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls the text of a locator until accept(text) holds; fails with the last text seen. */
async function waitForText(locator, accept, what, ms = STEP_MS) {
  const deadline = Date.now() + ms;
  let last = '(not shown)';
  while (Date.now() < deadline) {
    if (await locator.count() > 0) {
      last = (await locator.first().textContent({ timeout: STEP_MS })) ?? '';
      if (accept(last.trim())) {
        return last.trim();
      }
    }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new CheckFailed(`${what}: after ${ms / 1000} s the UI shows ${JSON.stringify(last.trim().slice(0, 500))}`);
}

/** A direct request, bypassing the browser. */
async function direct(method, path) {
  const res = await fetch(base + path, { method, signal: AbortSignal.timeout(FETCH_MS), redirect: 'manual' });
  const body = await res.text();
  return { status: res.status, type: res.headers.get('content-type') || '', etag: res.headers.get('etag'), body };
}

function appPath(name) {
  return '/api/apps/' + encodeURIComponent(name);
}

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckFailed(`${what}: the UI shows a body that is not JSON (${e.message}): ${text.slice(0, 500)}`);
  }
}

// ---- the Swagger UI, as a person uses it ---------------------------------------------------------

function operation(operationId, tag = 'apps') {
  // Swagger UI gives every operation block the id operations-<tag>-<operationId>.
  return page.locator(`#operations-${tag}-${operationId}`);
}

async function expand(op, what) {
  await op.waitFor({ state: 'visible' });
  if (!(await op.getAttribute('class')).split(/\s+/).includes('is-open')) {
    await op.locator('.opblock-summary').first().click();
  }
  await op.locator('.opblock-body').waitFor({ state: 'visible' });
  ok(`${what}: expanded`);
}

async function collapse(op) {
  if ((await op.getAttribute('class')).split(/\s+/).includes('is-open')) {
    await op.locator('.opblock-summary').first().click();
    await op.locator('.opblock-body').waitFor({ state: 'detached' });
  }
}

async function tryItOut(op, what) {
  const execute = op.getByRole('button', { name: 'Execute', exact: true });
  if (!(await execute.isVisible())) {
    await op.getByRole('button', { name: 'Try it out' }).click();
    await execute.waitFor({ state: 'visible' });
  }
  ok(`${what}: "Try it out" shows the Execute button`);
}

/** The input of a parameter, as Swagger UI renders it (a table row per parameter). */
function parameterInput(op, name, location) {
  return op.locator(`tr[data-param-name="${name}"][data-param-in="${location}"] input`);
}

/**
 * Swagger UI pre-fills a parameter's `example` into its input on "Try it out" and then sends it.
 * Optional parameters that change what the request means (conditions, filters) must start empty,
 * or "Execute" does something else than the person asked for.
 */
async function checkOptionalEmpty(op, what, params) {
  for (const [name, location] of params) {
    const input = parameterInput(op, name, location);
    check(`${what}: the optional ${location} parameter ${name} is in the form`, await input.count() === 1,
      `found ${await input.count()} inputs for it`);
    const value = await input.inputValue();
    check(`${what}: ${name} starts empty`, value === '',
      `"Try it out" pre-filled it with ${JSON.stringify(value)} (the parameter's example in openapi.yaml), ` +
      'so Execute would send it');
  }
}

/**
 * Clicks Execute and waits for both the browser's request and the response the UI then shows.
 * Returns what the UI shows: status code, body text, response headers text, request URL.
 */
async function execute(op, method, what) {
  // A response shown from an earlier Execute goes first, so that only the new one can be read.
  const clear = op.getByRole('button', { name: 'Clear', exact: true });
  if (await clear.isVisible()) {
    await clear.click();
    await op.locator('.live-responses-table').waitFor({ state: 'detached' });
  }
  const sent = page.waitForResponse(r => r.request().method() === method && new URL(r.url()).pathname.startsWith('/api/'),
    { timeout: STEP_MS });
  await op.getByRole('button', { name: 'Execute', exact: true }).click();
  const response = await sent;
  const status = String(response.status());
  // The table "Server response" under the request URL; the first row is the live response.
  const live = op.locator('.live-responses-table tbody tr.response').first();
  const shownStatus = await waitForText(live.locator('td.response-col_status'), t => t === status,
    `${what}: the UI should show the status the server sent (${status})`);
  const body = live.locator('div:has(> h5:text-is("Response body")) pre');
  const headers = live.locator('div:has(> h5:text-is("Response headers")) pre');
  const requestUrl = op.locator('.request-url pre');
  const text = async locator => (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '').trim() : '';
  return {
    status: shownStatus,
    sentUrl: response.url(),
    body: await text(body),
    headers: (await text(headers)).toLowerCase(),
    requestUrl: await text(requestUrl),
  };
}

// ---- the test ----------------------------------------------------------------------------------

async function run() {
  rmSync(FAILURE_SCREENSHOT, { force: true });   // from an earlier run
  profile = mkdtempSync(join(tmpdir(), 'microstore-e2e-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: LAUNCH_MS,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(LOAD_MS);
  page.on('pageerror', e => pageErrors.push(e.message));
  page.on('response', r => {
    if (new URL(r.url()).pathname.startsWith('/api/')) {
      apiTraffic.push(`${r.request().method()} ${r.url()} -> ${r.status()}`);
    }
  });
  ok(`Chromium ${context.browser()?.version() ?? '(version unknown)'} started`);

  // / redirects to the Swagger UI, which loads the OpenAPI document and renders every operation.
  await page.goto(base + '/', { waitUntil: 'load' });
  const landed = new URL(page.url());
  check('/ lands on the Swagger UI', landed.pathname.startsWith('/openapi/ui'), `it landed on ${page.url()}`);
  const title = await waitForText(page.locator('.swagger-ui .info .title'), t => t.startsWith('microstore'),
    'the Swagger UI shows the API title', LOAD_MS);
  ok(`the Swagger UI renders the OpenAPI document ("${title}")`);
  await operation('putApp').waitFor({ state: 'visible', timeout: LOAD_MS });
  const errors = page.locator('.swagger-ui .errors-wrapper');
  const errorText = await errors.count() > 0 ? await errors.first().textContent() : '';
  check('the Swagger UI shows no errors about the OpenAPI document', errorText === '', errorText);

  // PUT /api/apps/{name}
  const put = operation('putApp');
  await expand(put, 'PUT /api/apps/{name}');
  await tryItOut(put, 'PUT');
  await checkOptionalEmpty(put, 'PUT', [['If-Match', 'header'], ['If-None-Match', 'header']]);
  await parameterInput(put, 'name', 'path').fill(NAME);
  await put.locator('textarea.body-param__text').fill(JSON.stringify({ data: DATA }, null, 2));
  const putShown = await execute(put, 'PUT', 'PUT');
  check('PUT: the UI shows 204', putShown.status === '204', `it shows ${putShown.status}`);
  const encoded = '/api/apps/' + encodeURIComponent(NAME);   // e2e%2Fmy%20app
  check(`PUT: the browser sent the name percent-encoded (${encoded})`, new URL(putShown.sentUrl).pathname === encoded,
    `it requested ${putShown.sentUrl}`);
  check('PUT: the UI shows the request URL it called', putShown.requestUrl === base + encoded,
    `it shows ${JSON.stringify(putShown.requestUrl)}`);
  check('PUT: the UI shows the ETag of the new version', /etag: "\d+"/.test(putShown.headers),
    `the response headers shown are ${JSON.stringify(putShown.headers)}`);
  const afterPut = await direct('GET', appPath(NAME));
  check('PUT: a direct GET finds the app with the data sent through the UI',
    afterPut.status === 200 && isDeepStrictEqual(JSON.parse(afterPut.body), { name: NAME, data: DATA }),
    `GET ${appPath(NAME)} answered ${afterPut.status} ${afterPut.body.slice(0, 500)}`);
  await collapse(put);

  // GET /api/apps/{name}
  const get = operation('getApp');
  await expand(get, 'GET /api/apps/{name}');
  await tryItOut(get, 'GET');
  await checkOptionalEmpty(get, 'GET', [['If-None-Match', 'header']]);
  await parameterInput(get, 'name', 'path').fill(NAME);
  const got = await execute(get, 'GET', 'GET');
  check('GET: the UI shows 200', got.status === '200', `it shows ${got.status}`);
  const shownApp = parseJson(got.body, 'GET');
  check('GET: the body the UI shows is the app with the data the UI stored',
    isDeepStrictEqual(shownApp, { name: NAME, data: DATA }), `it shows ${got.body.slice(0, 500)}`);
  await screenshotOf(get);

  // GET /api/apps
  const list = operation('listApps');
  await expand(list, 'GET /api/apps');
  await tryItOut(list, 'list');
  await checkOptionalEmpty(list, 'list', [['prefix', 'query'], ['limit', 'query'], ['after', 'query']]);
  const listed = await execute(list, 'GET', 'list');
  check('list: the UI shows 200', listed.status === '200', `it shows ${listed.status}`);
  const names = parseJson(listed.body, 'list');
  check('list: the UI shows the name', Array.isArray(names) && names.some(item => item.name === NAME),
    `it shows ${listed.body.slice(0, 500)}`);
  await collapse(list);

  // DELETE /api/apps/{name}
  const del = operation('deleteApp');
  await expand(del, 'DELETE /api/apps/{name}');
  await tryItOut(del, 'DELETE');
  await checkOptionalEmpty(del, 'DELETE', [['If-Match', 'header'], ['If-None-Match', 'header']]);
  await parameterInput(del, 'name', 'path').fill(NAME);
  const deleted = await execute(del, 'DELETE', 'DELETE');
  check('DELETE: the UI shows 204', deleted.status === '204', `it shows ${deleted.status}`);
  const afterDelete = await direct('GET', appPath(NAME));
  check('DELETE: a direct GET no longer finds the app', afterDelete.status === 404,
    `GET ${appPath(NAME)} answered ${afterDelete.status} ${afterDelete.body.slice(0, 500)}`);
  await collapse(del);

  // GET /api/apps/{name} again: 404 with a problem+json body
  await get.scrollIntoViewIfNeeded();
  const gone = await execute(get, 'GET', 'GET after DELETE');
  check('GET after DELETE: the UI shows 404', gone.status === '404', `it shows ${gone.status}`);
  check('GET after DELETE: the UI shows the type application/problem+json',
    /content-type: application\/problem\+json/.test(gone.headers), `the response headers shown are ${gone.headers}`);
  const problem = parseJson(gone.body, 'GET after DELETE');
  check('GET after DELETE: the body is a problem with status 404',
    problem && problem.status === 404 && typeof problem.title === 'string', `it shows ${gone.body.slice(0, 500)}`);
  await collapse(get);

  // POST /api/txn: two puts and a check commit together with one seq; then a failed check writes nothing
  const txn = operation('transaction');
  await expand(txn, 'POST /api/txn');
  await tryItOut(txn, 'transaction');
  const txnBody = txn.locator('textarea.body-param__text');
  await txnBody.fill(JSON.stringify([
    { op: 'check', name: TXN_NAMES[2], if_none_match: '*' },
    { op: 'put', name: TXN_NAMES[0], data: DATA },
    { op: 'put', name: TXN_NAMES[1], data: [1, 2] },
  ], null, 2));
  const committed = await execute(txn, 'POST', 'transaction');
  check('transaction: the UI shows 200', committed.status === '200', `it shows ${committed.status} ${committed.body.slice(0, 500)}`);
  const result = parseJson(committed.body, 'transaction');
  const etag = `"${result.seq}"`;
  check('transaction: both puts got the transaction\'s one seq as ETag',
    Number.isInteger(result.seq) && result.results.length === 3 && result.results[0].etag === undefined
      && result.results[1].etag === etag && result.results[2].etag === etag, `it shows ${committed.body.slice(0, 500)}`);
  for (const [name, data] of [[TXN_NAMES[0], DATA], [TXN_NAMES[1], [1, 2]]]) {
    const app = await direct('GET', appPath(name));
    check(`transaction: a direct GET finds ${name} with its data and the ETag ${etag}`,
      app.status === 200 && app.etag === etag && isDeepStrictEqual(JSON.parse(app.body), { name, data }),
      `GET ${appPath(name)} answered ${app.status} ${app.etag} ${app.body.slice(0, 500)}`);
  }
  await txnBody.fill(JSON.stringify([
    { op: 'delete', name: TXN_NAMES[0] },
    { op: 'check', name: TXN_NAMES[1], if_none_match: '*' },
  ], null, 2));
  const refused = await execute(txn, 'POST', 'transaction with a failed condition');
  check('transaction with a failed condition: the UI shows 412', refused.status === '412', `it shows ${refused.status}`);
  const refusal = parseJson(refused.body, 'transaction with a failed condition');
  check('transaction with a failed condition: the problem names the operation and its app\'s ETag',
    refusal.index === 1 && refusal.etag === etag, `it shows ${refused.body.slice(0, 500)}`);
  const kept = await direct('GET', appPath(TXN_NAMES[0]));
  check('transaction with a failed condition: nothing was written (the delete did not happen)', kept.status === 200,
    `GET ${appPath(TXN_NAMES[0])} answered ${kept.status}`);
  for (const name of TXN_NAMES.slice(0, 2)) {
    await direct('DELETE', appPath(name));
  }
  await collapse(txn);
}

/** The page from its top down to the end of the live response of `op`: title, operations, response. */
async function screenshotOf(op) {
  const live = op.locator('.live-responses-table').first();
  await live.scrollIntoViewIfNeeded();
  const box = await live.boundingBox();
  const scroll = await page.evaluate(() => window.scrollY);
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({
    path: SCREENSHOT, fullPage: true, timeout: STEP_MS,
    clip: { x: 0, y: 0, width, height: Math.ceil(box.y + scroll + box.height + 24) },
  });
  ok(`screenshot of the UI after the GET: ${relative(process.cwd(), SCREENSHOT)}`);
}

async function failureScreenshot() {
  if (!page) {
    return;
  }
  try {
    mkdirSync(dirname(FAILURE_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: FAILURE_SCREENSHOT, fullPage: true, timeout: 5_000 });
    console.error(`the page at the failure: ${relative(process.cwd(), FAILURE_SCREENSHOT)}`);
  } catch (e) {
    console.error(`(no failure screenshot: ${e.message.split('\n')[0]})`);
  }
}

async function cleanUp() {
  try {
    if (context) {
      await withTimeout(context.close(), 10_000, 'closing the browser');
    }
  } catch (e) {
    console.error(`(closing the browser: ${e.message})`);
  }
  if (profile) {
    rmSync(profile, { recursive: true, force: true });
  }
}

let status = 0;
try {
  await withTimeout(run(), TOTAL_MS, 'the whole browser test');
  console.log(`e2e: all checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (e) {
  status = 1;
  console.error(`FAIL ${e instanceof CheckFailed ? e.message : e.stack || e}`);
  if (apiTraffic.length > 0) {
    console.error('what the browser sent to /api/:\n  ' + apiTraffic.join('\n  '));
  }
  if (pageErrors.length > 0) {
    console.error('errors in the page:\n  ' + pageErrors.join('\n  '));
  }
  await failureScreenshot();
  console.error('e2e: FAILED');
}
await cleanUp();
process.exit(status);
