#!/usr/bin/env node
// Usage: node e2e/ui.test.mjs BASE_URL   (make e2e starts a fresh server and passes its URL)
//
// Drives the data browser at /ui/ in Debian's Chromium (headless, via playwright-core) by the
// accessible names a screen reader uses: apps seeded through the API show up grouped in the tree; the
// filter by prefix and by a where; open, Edit, invalid JSON disables Save, Save (the server has the
// new ETag); a change from outside while the app is open gives the banner and Save the conflict view;
// create, rename (one transaction), delete; a change from outside appears in the tree; export and
// import with the 409 path; the keyboard alone; a phone-sized window; the key prompt on a second,
// secured server. Every wait is on something the page or the server shows, with a time limit.
// Prints the timings the issue asks for (first level, opening an app, a change from outside).
// Screenshots: ui-tree.png, ui-conflict.png, ui-phone.png in target/screenshots/ (in docs/ with SCREENSHOTS=docs,
// so a test run leaves the tracked files alone); on a failure
// target/e2e-ui-failure.png. UI_TIMINGS_ONLY=1 only measures the timings (on a large store).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOTAL_MS = 240_000;   // the whole test, on a busy 2-core machine
const LAUNCH_MS = 30_000;
const STEP_MS = 15_000;
const FETCH_MS = 10_000;
const BANNER_MS = 3_000;    // the issue: a change from outside shows within 3 s

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = join(root, process.env.SCREENSHOTS === 'docs' ? 'docs' : 'target/screenshots');
const FAILURE_SCREENSHOT = join(root, 'target', 'e2e-ui-failure.png');
const TIMINGS_ONLY = process.env.UI_TIMINGS_ONLY === '1';

class CheckFailed extends Error {}

const started = Date.now();
const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node e2e/ui.test.mjs BASE_URL');
  process.exit(2);
}

let context;
let page;
let profile;
let secured;         // the second server, with a token
const pageErrors = [];
const apiTraffic = [];
const timings = [];

function ok(what) {
  console.log(`ok   ${what}`.padEnd(100) + ` ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`);
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

/** Polls until fn() is truthy; fails with what describe() says then. */
async function until(fn, what, ms = STEP_MS, describe = async () => '') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new CheckFailed(`${what}: not within ${ms / 1000} s ${await describe()}`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

async function direct(method, path, body, headers = {}, url = base) {
  const res = await fetch(url + path, {
    method, body, headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    signal: AbortSignal.timeout(FETCH_MS),
  });
  return { status: res.status, etag: res.headers.get('etag'), body: await res.text() };
}

const appPath = name => '/api/apps/' + encodeURIComponent(name);
const put = (name, data, headers) => direct('PUT', appPath(name), JSON.stringify({ data }), headers);

const item = name => page.getByRole('treeitem', { name, exact: true });
const button = name => page.getByRole('button', { name, exact: true });

async function treeNames() {
  return page.locator('[role=treeitem]').evaluateAll(els => els.map(e => e.getAttribute('aria-label')));
}

async function shot(file, options = {}) {
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: join(DOCS, file), timeout: STEP_MS, ...options });
  ok(`screenshot ${relative(process.cwd(), join(DOCS, file))}`);
}

function timing(what, ms) {
  timings.push(`${what}: ${Math.round(ms)} ms`);
  ok(`timing: ${what}: ${Math.round(ms)} ms`);
}

async function openBrowser(viewport = { width: 1280, height: 800 }) {
  profile = mkdtempSync(join(tmpdir(), 'microstore-e2e-ui-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: LAUNCH_MS, viewport,
    deviceScaleFactor: 1, acceptDownloads: true,
  });
  page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', e => pageErrors.push(e.message));
  page.on('response', r => {
    if (new URL(r.url()).pathname.startsWith('/api/')) {
      apiTraffic.push(`${r.request().method()} ${r.url()} -> ${r.status()}`);
    }
  });
  ok(`Chromium ${context.browser()?.version() ?? ''} started`);
}

// ---- the timings alone (a large store: see docs/UI.md) ---------------------------------------------

async function measure() {
  await openBrowser();
  let t0 = performance.now();
  await page.goto(base + '/ui/');
  await page.locator('[role=treeitem]').first().waitFor();
  timing('the first level of the tree, from navigation', performance.now() - t0);
  timing('the same, in the page (its own clock, from the navigation start)',
    await page.evaluate(() => performance.getEntriesByName('first-level')[0]?.startTime ?? -1));
  // down the first folders to an app
  let name = null;
  for (let depth = 0; depth < 10 && !name; depth++) {
    const apps = page.locator('[role=treeitem][data-app]');
    if (await apps.count() > 0) {
      name = await apps.first().getAttribute('data-key');
      break;
    }
    const folder = page.locator('[role=treeitem][data-folder][aria-expanded=false]').first();
    const key = await folder.getAttribute('data-key');
    t0 = performance.now();
    await folder.click();
    await page.locator(`[role=treeitem][data-key^="${key}"]:not([data-key="${key}"])`).first().waitFor();
    timing(`the level of ${key}`, performance.now() - t0);
  }
  t0 = performance.now();
  await page.locator(`[role=treeitem][data-key="${name}"]`).click();
  await until(async () => (await page.locator('#doc-name').textContent()) === name && await page.locator('#doc-view').isVisible(), 'the app opens');
  timing('opening an app (click to its JSON shown)', performance.now() - t0);
  t0 = performance.now();
  await put(name, { changed: Date.now() });
  await page.locator('#banner').waitFor({ state: 'visible' });
  timing('a change by another client shown (PUT to banner)', performance.now() - t0);
}

// ---- the test -----------------------------------------------------------------------------------

async function run() {
  // Seed: two folders deep, a top-level app, values to filter on.
  for (const [name, data] of [
    ['team/svc/config', { status: 'up', port: 8080, big: 9007199254740993 }],
    ['team/svc/secrets', { status: 'down' }],
    ['team/web', { status: 'up' }],
    ['solo', [1, 2, 3]],
  ]) {
    const r = await direct('PUT', appPath(name), `{"data":${JSON.stringify(data).replace('9007199254740992', '9007199254740993')}}`);
    check(`seed ${name}`, r.status === 204, r.body);
  }
  await openBrowser();

  // the tree, level by level
  let t0 = performance.now();
  await page.goto(base + '/ui/');
  await item('team/').waitFor();
  timing('first level of a 4-app store', performance.now() - t0);
  check('the top level groups the names by their first segment',
    isDeepStrictEqual(await treeNames(), ['solo', 'team/']), async () => JSON.stringify(await treeNames()));
  check('the tree is a tree with tree items', await page.getByRole('tree').count() === 1, 'no role=tree');
  const swagger = page.getByRole('link', { name: 'API (Swagger UI)' });
  check('the page links to the Swagger UI', new URL(await swagger.evaluate(a => a.href)).pathname === '/openapi/ui',
    await swagger.evaluate(a => a.href));
  await item('team/').click();
  await item('svc/').waitFor();
  check('team/ opens to its own level', isDeepStrictEqual(await treeNames(), ['solo', 'team/', 'svc/', 'web']),
    async () => JSON.stringify(await treeNames()));
  await item('svc/').click();
  await item('config').click();
  await until(async () => (await page.locator('#doc-name').textContent()) === 'team/svc/config', 'config opens');
  check('the address bar keeps the place', new URL(page.url()).hash === '#/team/svc/config', page.url());
  const shown = await page.locator('#doc-json').textContent();
  check('the document is read-only first, pretty-printed, its long number as stored',
    shown.includes('"big": 9007199254740993') && shown.includes('\n  "status": "up"') &&
      !(await page.getByLabel('Document', { exact: true }).isVisible()), shown);
  const meta = await page.locator('#doc-meta').textContent();
  const stored = await direct('GET', appPath('team/svc/config'));
  check('the pane shows the ETag, seq and expiry', meta.includes(stored.etag) && meta.includes('never'), meta);
  await shot('ui-tree.png');

  // reload and back keep the place
  await page.reload();
  await until(async () => (await page.locator('#doc-name').textContent()) === 'team/svc/config' &&
    await item('config').count() === 1, 'after a reload the same app is open and the tree open down to it');
  ok('reload keeps the place');
  t0 = performance.now();
  await item('web').click();
  await until(async () => (await page.locator('#doc-name').textContent()) === 'team/web', 'web opens');
  timing('opening an app (click to its JSON shown), small store', performance.now() - t0);
  await page.goBack();
  await until(async () => (await page.locator('#doc-name').textContent()) === 'team/svc/config', 'back returns to config');
  ok('back returns to the app before');

  // the filter: a prefix, then a where
  const filter = page.getByRole('searchbox', { name: 'Filter' });
  await filter.fill('team/s');
  await filter.press('Enter');
  await until(async () => isDeepStrictEqual(await treeNames(), ['team/svc/config', 'team/svc/secrets']),
    'a prefix filter lists the names under it, across folders', STEP_MS, async () => JSON.stringify(await treeNames()));
  let info = await page.locator('#query-info').textContent();
  check('the prefix filter shows X-Total-Count and the Query-Plan', info.includes('2 matches') && info.includes('Query-Plan: scan'), info);
  await filter.fill('{"/status": "up"}');
  await filter.press('Enter');
  await until(async () => isDeepStrictEqual(await treeNames(), ['team/svc/config', 'team/web']),
    'a where filter lists the matching apps', STEP_MS, async () => JSON.stringify(await treeNames()));
  info = await page.locator('#query-info').textContent();
  check('the where filter shows X-Total-Count and the Query-Plan', info.includes('2 matches') && /examined=4/.test(info), info);
  // a server with live queries (changes?where) sends enter and leave: the matches follow them
  const live = (await direct('GET', '/api/changes?since=0&limit=1&where=%7B%7D')).body.includes('"event"');
  if (live) {
    await put('team/up-later', { status: 'up' });
    await item('team/up-later').waitFor();
    await put('team/up-later', { status: 'down' });
    await until(async () => await item('team/up-later').count() === 0, 'an app that no longer matches leaves');
    await direct('DELETE', appPath('team/up-later'));
    ok('a where filter follows the live query: an app that starts to match enters, one that stops leaves');
  } else {
    ok('(the server has no live queries: the where filter does not follow changes)');
  }
  check('the filter is in the address bar', decodeURIComponent(new URL(page.url()).hash).includes('filter={"/status": "up"}'), page.url());
  await filter.fill('{"/status": ');
  await filter.press('Enter');
  await until(async () => (await page.locator('#query-info').textContent()).startsWith('Filter: not JSON'), 'a broken selector is explained');
  await filter.fill('');
  await filter.press('Enter');
  await item('team/').waitFor();

  // edit: invalid JSON disables Save; fixed, Save sends If-Match and the server has the new version
  await until(async () => (await page.locator('#doc-name').textContent()) === 'team/svc/config', 'config is open');
  await button('Edit').click();
  const editor = page.getByLabel('Document', { exact: true });
  await editor.fill('{"status": "up", "port": }');
  check('invalid JSON disables Save', await button('Save').isDisabled(), 'Save is enabled');
  check('the editor is marked invalid', await editor.getAttribute('aria-invalid') === 'true', 'no aria-invalid');
  await editor.fill('{"status": "up", "port": 9090, "big": 9007199254740993}');
  check('valid JSON enables Save', await button('Save').isEnabled(), 'Save is disabled');
  const before = await direct('GET', appPath('team/svc/config'));
  await button('Save').click();
  await until(async () => (await page.locator('#message').textContent()).startsWith('Saved'), 'Save reports the new ETag');
  const after = await direct('GET', appPath('team/svc/config'));
  check('the server has the edited document, long number as typed, and a new ETag',
    after.body === '{"name":"team/svc/config","data":{"status":"up","port":9090,"big":9007199254740993}}' && after.etag !== before.etag,
    `${after.etag} ${after.body}`);
  check('the pane shows the new ETag', (await page.locator('#doc-meta').textContent()).includes(after.etag), 'old ETag shown');

  // a change from outside while editing: the banner, then Save gets the conflict view
  await button('Edit').click();
  await editor.fill('{"status": "mine"}');
  t0 = performance.now();
  await put('team/svc/config', { status: 'theirs' });
  await withTimeout(page.locator('#banner').waitFor({ state: 'visible', timeout: BANNER_MS }), BANNER_MS + 500,
    'the banner for a change from outside');
  timing('a change by another client shown on the open app (PUT to banner)', performance.now() - t0);
  check('the edit is not replaced', await editor.inputValue() === '{"status": "mine"}', await editor.inputValue());
  await button('Save').click();
  const conflict = page.getByRole('region', { name: 'Conflict' });
  await conflict.waitFor();
  const conflictText = await conflict.textContent();
  check('Save gets the conflict view: changed since you opened it, both versions',
    conflictText.includes('changed since you opened it') && conflictText.includes('"mine"') && conflictText.includes('"theirs"'), conflictText);
  check('the server still has the other client\'s version (no silent overwrite)',
    (await direct('GET', appPath('team/svc/config'))).body.includes('theirs'), 'overwritten');
  check('the conflict view offers Reload and Overwrite',
    await button('Reload').isVisible() && await button('Overwrite').isVisible(), 'buttons missing');
  await shot('ui-conflict.png');
  await button('Overwrite').click();
  await until(async () => (await direct('GET', appPath('team/svc/config'))).body.includes('mine'), 'Overwrite writes yours');
  ok('Overwrite writes yours at the ETag it showed');

  // create, rename, delete
  await button('New app').click();
  await page.getByLabel('Name', { exact: true }).fill('team/new');
  await editor.fill('{"fresh": true}');
  await button('Save').click();
  await until(async () => (await direct('GET', appPath('team/new'))).status === 200, 'New app creates it');
  await until(async () => (await page.locator('#doc-name').textContent()) === 'team/new', 'the new app is open');
  await item('new').waitFor();
  ok('the new app is in the tree');
  page.once('dialog', d => d.accept('team/renamed'));
  await button('Rename').click();
  await until(async () => (await direct('GET', appPath('team/renamed'))).status === 200 &&
    (await direct('GET', appPath('team/new'))).status === 404, 'Rename moves it');
  await item('renamed').waitFor();
  await until(async () => await item('new').count() === 0, 'the old name leaves the tree');
  ok('Rename: the new name exists, the old one is gone, in the store and in the tree');
  page.once('dialog', d => d.accept());
  await button('Delete').click();
  await until(async () => (await direct('GET', appPath('team/renamed'))).status === 404, 'Delete deletes it');
  await until(async () => await item('renamed').count() === 0, 'the deleted app leaves the tree');
  ok('Delete: gone from the store and the tree');

  // live: an app made by another client appears in the open level, one deleted goes
  t0 = performance.now();
  await put('team/live', { n: 1 });
  await item('live').waitFor();
  timing('a new app by another client shown in the tree', performance.now() - t0);
  await direct('DELETE', appPath('team/live'));
  await until(async () => await item('live').count() === 0, 'an app deleted by another client leaves the tree');
  ok('the tree follows the changes feed');

  // history: the versions the feed holds, a diff, a restore
  await item('config').click();
  await until(async () => (await page.locator('#doc-name').textContent()) === 'team/svc/config', 'config opens');
  await button('History').click();
  const versions = page.getByRole('region', { name: 'History' }).getByRole('button', { name: /^seq \d+: put/ });
  await until(async () => await versions.count() >= 3, 'History lists the versions');
  await versions.last().click(); // the oldest: the seeded version
  const diff = await page.locator('#history-diff').textContent();
  check('the diff shows the old and the open version', diff.includes('- ') && diff.includes('+ '), diff);
  await button('Restore this version').click();
  await until(async () => (await direct('GET', appPath('team/svc/config'))).body.includes('"port":8080'), 'Restore writes the old version');
  ok('History: diff and restore');

  // export, then import with a name that exists: 409, then Overwrite
  await button('Export / import').click();
  const download = page.waitForEvent('download');
  await button('Export').click();
  const file = await (await download).path();
  const lines = readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l).name);
  check('Export downloads every app as JSON lines', isDeepStrictEqual(lines, ['solo', 'team/svc/config', 'team/svc/secrets', 'team/web']),
    JSON.stringify(lines));
  const importFile = join(profile, 'import.jsonl');
  writeFileSync(importFile, '{"name":"solo","data":"imported"}\n{"name":"team/imported","data":1}\n');
  const importForm = page.getByRole('form', { name: 'Import' });
  await importForm.getByLabel('Import file').setInputFiles(importFile);
  await importForm.getByRole('button', { name: 'Import', exact: true }).click();
  await importForm.getByRole('button', { name: 'Overwrite', exact: true }).waitFor();
  check('an import with a name that exists shows the 409 and writes nothing',
    (await page.locator('#import-conflict-text').textContent()).includes('409') &&
      (await direct('GET', appPath('team/imported'))).status === 404, await page.locator('#import-conflict-text').textContent());
  await importForm.getByRole('button', { name: 'Overwrite', exact: true }).click();
  await until(async () => (await direct('GET', appPath('solo'))).body.includes('imported'), 'Overwrite imports');
  ok('the import with overwrite=true writes them');
  await button('Export / import').click();

  // the indexes panel: hidden where the server has no /api/indexes
  const hasIndexes = (await direct('GET', '/api/indexes')).status !== 404;
  check('the Indexes button shows exactly when the server has indexes',
    (await button('Indexes').isVisible()) === hasIndexes, `server has indexes: ${hasIndexes}`);

  await keyboardOnly();
  await phone();
  await keyPrompt();
}

/** Everything by keys: Tab to the tree, arrows to an app, Enter, Tab to Edit, type, Save. */
async function keyboardOnly() {
  await page.goto(base + '/ui/?fresh#/'); // a new document: the tree as it first loads
  await item('team/').waitFor();
  let focused = '';
  for (let i = 0; i < 30 && focused !== 'treeitem'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.getAttribute('role') || '');
  }
  check('Tab reaches the tree', focused === 'treeitem', 'the tree never took the focus');
  const active = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');   // team/
  check('ArrowDown moves to team/', await active() === 'team/', await active());
  await page.keyboard.press('ArrowRight');  // opens it
  await item('web').waitFor();
  await page.keyboard.press('ArrowRight');  // into it
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');   // imported, svc/, web
  const target = await page.evaluate(() => document.activeElement?.dataset.key);
  check('the arrows reach team/web', target === 'team/web', target);
  await page.keyboard.press('Enter');
  await until(async () => (await page.locator('#doc-name').textContent()) === target, 'Enter opens the app');
  let name = '';
  for (let i = 0; i < 30 && name !== 'Edit'; i++) {
    await page.keyboard.press('Tab');
    name = await page.evaluate(() => document.activeElement?.textContent);
  }
  check('Tab reaches Edit', name === 'Edit', name);
  await page.keyboard.press('Enter');
  await until(() => page.evaluate(() => document.activeElement?.id === 'editor'), 'Edit puts the focus in the editor');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('{"by": "keyboard"}');
  await page.keyboard.press('Tab');  // the error line is no stop: TTL
  await page.keyboard.press('Tab');  // Save
  await page.keyboard.press('Enter');
  await until(async () => (await direct('GET', appPath(target))).body.includes('keyboard'), 'Save by keys writes it');
  ok('keyboard only: tree, open, Edit, Save');
}

/** A phone-sized window: one column, nothing wider than the screen, the app opens by a tap. */
async function phone() {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/ui/#/team/web');
  await until(async () => (await page.locator('#doc-name').textContent()) === 'team/web', 'the app opens on a phone');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check('nothing is wider than a phone (390 px)', width <= 390, `the page is ${width} px wide`);
  const tree = await page.getByRole('tree').boundingBox();
  const doc = await page.locator('#doc-view').boundingBox();
  check('the tree and the document are one above the other', tree && doc && doc.y >= tree.y + tree.height - 1,
    JSON.stringify({ tree, doc }));
  await item('solo').click();
  await until(async () => (await page.locator('#doc-name').textContent()) === 'solo', 'a tap opens solo');
  await shot('ui-phone.png');
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** A second server with a token: the page asks for a key, keeps it for the tab, and then works. */
async function keyPrompt() {
  const java = join(process.env.JAVA_HOME || '/usr', 'bin', 'java');
  const child = spawn(java, ['-jar', join(root, 'target', 'microstore.jar'), '--port', '0'],
    { env: { ...process.env, MICROSTORE_TOKEN: 'e2e-secret' }, stdio: ['ignore', 'pipe', 'pipe'] });
  secured = child;
  const url = await withTimeout(new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', d => {
      out += d;
      const m = /microstore listening on (http:\/\/[^ ]*?)\/? /.exec(out);
      if (m) {
        resolve(m[1]);
      }
    });
    child.on('exit', code => reject(new CheckFailed(`the secured server exited (${code}): ${out}`)));
  }), 30_000, 'the secured server starts');
  const seeded = await direct('PUT', appPath('secret/app'), '{"data":{"s":1}}', { Authorization: 'Bearer e2e-secret' }, url);
  check('seed the secured server', seeded.status === 204, seeded.body);
  await page.goto(url + '/ui/');
  const keyBox = page.getByLabel('Key', { exact: true });
  await keyBox.waitFor();
  check('on a 401 the page asks for a Key, in a password field', await keyBox.getAttribute('type') === 'password', 'not a password field');
  await keyBox.fill('e2e-secret');
  await button('Use key').click();
  await item('secret/').waitFor();
  ok('with the key the tree loads');
  check('the key is kept for the tab only (sessionStorage)',
    await page.evaluate(() => sessionStorage.getItem('microstore.key') === 'e2e-secret' && localStorage.length === 0), 'not in sessionStorage');
  const log = await page.locator('#request-log').textContent();
  check('the curl lines name the key as $MICROSTORE_KEY, never the key itself',
    log.includes('$MICROSTORE_KEY') && !log.includes('e2e-secret'), log.slice(0, 300));
  await until(async () => (await page.locator('#key-summary').textContent()).includes('admin'),
    'the page says the token is an admin key');

  // a key of narrower rules: the page says what it may read and write, and the tree shows only that
  const admin = { Authorization: 'Bearer e2e-secret', 'Content-Type': 'application/json' };
  check('seed an app the next key may not read',
    (await direct('PUT', appPath('hidden/app'), '{"data":1}', admin, url)).status === 204, 'hidden/app');
  const made = await direct('POST', '/api/keys', JSON.stringify({ id: 'e2e-scoped', rules: [
    { prefix: 'open/', access: 'write' }, { prefix: 'secret/', access: 'read' }] }), admin, url);
  check('an admin makes a scoped key', made.status === 201, made.body);
  await button('Key…').click();
  await page.getByLabel('Key', { exact: true }).fill(JSON.parse(made.body).secret);
  await button('Use key').click();
  await until(async () => (await page.locator('#key-summary').textContent())
    === 'Key "e2e-scoped": writes open/; reads only secret/.', 'the page says what the scoped key may do');
  await page.reload();
  await item('secret/').waitFor();
  check('the tree shows only what the key may read',
    await page.locator('[role=treeitem][data-key="hidden/"]').count() === 0, 'hidden/ is shown');
  ok('the page shows what a key may read and write, and only what it may read');
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
  if (secured) {
    secured.kill('SIGTERM');
  }
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
  await withTimeout(TIMINGS_ONLY ? measure() : run(), TOTAL_MS, 'the whole browser test');
  if (pageErrors.length > 0) {
    throw new CheckFailed('errors in the page:\n  ' + pageErrors.join('\n  '));
  }
  console.log(`e2e ui: all checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log('timings:\n  ' + timings.join('\n  '));
} catch (e) {
  status = 1;
  console.error(`FAIL ${e instanceof CheckFailed ? e.message : e.stack || e}`);
  console.error('what the browser sent to /api/ (last 30):\n  ' + apiTraffic.slice(-30).join('\n  '));
  if (pageErrors.length > 0) {
    console.error('errors in the page:\n  ' + pageErrors.join('\n  '));
  }
  await failureScreenshot();
  console.error('e2e ui: FAILED');
}
await cleanUp();
process.exit(status);
