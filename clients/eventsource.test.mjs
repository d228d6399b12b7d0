// The npm `eventsource` package (the EventSource of browsers, for Node) against the real jar's changes
// feed: named events through addEventListener, an id on every event (a transaction's too), a resume from
// inside a transaction, and a restart of the server (SIGTERM, same data dir, same port) that the
// EventSource rides out by itself, seeing every change exactly once. One line per check: "ok - ..." or
// "FAIL - ..."; exit status 1 when any failed. Started by scripts/client-test.sh with JAVA (the java
// binary) and MICROSTORE_JAR in the environment.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';

const JAVA = process.env.JAVA || 'java';
const JAR = process.env.MICROSTORE_JAR || 'target/microstore.jar';
const WAIT_MS = 30_000;

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'FAIL'} - node eventsource: ${what}${ok || !detail ? '' : ` (${detail})`}`);
  if (!ok) failures++;
  return ok;
}

/** Starts the jar on `port` (0: any) with `--data dir`; resolves once it prints its start-up line. */
function startServer(dir, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(JAVA, ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-jar', JAR, '--port', String(port), '--data', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start in ${WAIT_MS} ms:\n${output}`)), WAIT_MS);
    const onData = (chunk) => {
      output += chunk;
      const m = /microstore listening on http:\/\/[^/]*:(\d+)\//.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it listened:\n${output}`));
    });
  });
}

/** SIGTERM by pid; resolves with the exit status. */
function stopServer(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve(server.child.exitCode);
    const timer = setTimeout(() => server.child.kill('SIGKILL'), WAIT_MS);
    server.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
    server.child.kill('SIGTERM');
  });
}

/** One check that may throw: a FAIL line, and the checks after it still run. */
async function step(what, run) {
  try {
    const [ok, detail] = await run();
    check(ok, what, detail);
  } catch (e) {
    check(false, what, e.message);
  }
}

async function until(what, predicate) {
  const deadline = Date.now() + WAIT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function send(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : res.headers.get('etag');
}

const put = (base, name, data) => send(base, 'PUT', `/api/apps/${name}`, { data });
const del = (base, name) => send(base, 'DELETE', `/api/apps/${name}`);
const txn = async (base, ops) => (await send(base, 'POST', '/api/txn', ops)).seq;

/** Every change after seq 0 by polling, as "seq op name". */
async function polled(base) {
  const page = await send(base, 'GET', '/api/changes?since=0&limit=10000');
  return page.results.map((c) => `${c.seq} ${c.op} ${c.name}`);
}

/** An EventSource on `url` that records what it gets through addEventListener (and onmessage, which must stay silent). */
function follow(url) {
  const es = new EventSource(url);
  const got = { events: [], shutdowns: [], messages: 0, errors: 0, opens: 0 };
  const onChange = (e) => {
    const change = JSON.parse(e.data);
    got.events.push({ id: e.lastEventId, type: e.type, line: `${change.seq} ${change.op} ${change.name}` });
  };
  es.addEventListener('put', onChange);
  es.addEventListener('delete', onChange);
  es.addEventListener('shutdown', (e) => got.shutdowns.push({ id: e.lastEventId, data: JSON.parse(e.data) }));
  es.onmessage = () => got.messages++;
  es.onerror = () => got.errors++;
  es.onopen = () => got.opens++;
  return { es, got };
}

const dir = mkdtempSync(join(tmpdir(), 'microstore-eventsource-'));
let server;
let stream;
let resumed;
try {
  server = await startServer(dir, 0);
  const base = `http://127.0.0.1:${server.port}`;
  stream = follow(`${base}/api/changes?since=0`);
  await until('the stream to open', () => stream.got.opens === 1);

  await put(base, 'a', { n: 1 });
  await put(base, 'b', { n: 2 });
  await del(base, 'a');
  const t = await txn(base, [
    { op: 'put', name: 't/1', data: 1 },
    { op: 'put', name: 't/2', data: 2 },
    { op: 'put', name: 't/3', data: 3 },
  ]);
  await put(base, 'c', { n: 3 });
  await until('7 events', () => stream.got.events.length >= 7);
  const before = await polled(base);
  check(
    JSON.stringify(stream.got.events.map((e) => e.line)) === JSON.stringify(before) &&
      stream.got.events.some((e) => e.type === 'delete'),
    'put and delete events arrive through addEventListener, in seq order',
    JSON.stringify(stream.got.events),
  );
  check(stream.got.messages === 0, 'onmessage never fires (the events are named)', `${stream.got.messages} messages`);
  const txnIds = stream.got.events.filter((e) => e.line.includes(' t/')).map((e) => e.id);
  check(
    stream.got.events.every((e) => e.id !== '') && JSON.stringify(txnIds) === JSON.stringify([`${t}.0`, `${t}.1`, `${t}`]),
    'lastEventId is never "", a transaction of 3 writes included',
    JSON.stringify(stream.got.events.map((e) => e.id)),
  );

  await step('since=<seq>.0 resumes right after the first event of a transaction', async () => {
    resumed = follow(`${base}/api/changes?since=${t}.0`);
    await until('the rest of the transaction and what followed', () => resumed.got.events.length >= 3);
    resumed.es.close();
    const lines = resumed.got.events.map((e) => e.line);
    return [JSON.stringify(lines) === JSON.stringify(before.slice(-3)), JSON.stringify(lines)];
  });

  await step('a live query (?where) names its events enter, update and leave, a leave with its reason', async () => {
    const where = encodeURIComponent(JSON.stringify({ '/status': 'open' }));
    const live = new EventSource(`${base}/api/changes?where=${where}`);
    const got = [];
    let messages = 0;
    let opened = false;
    for (const type of ['enter', 'update', 'leave']) {
      live.addEventListener(type, (e) => {
        const change = JSON.parse(e.data);
        got.push(`${e.type} ${change.name}${change.reason ? ' ' + change.reason : ''}`);
      });
    }
    live.onmessage = () => messages++;
    live.onopen = () => (opened = true);
    try {
      await until('the live stream to open', () => opened);
      await put(base, 'q/x', { status: 'closed' }); // never matched: nothing
      await put(base, 'q/x', { status: 'open' });
      await put(base, 'q/x', { status: 'open', n: 1 });
      await put(base, 'q/x', { status: 'done' });
      await put(base, 'q/y', { status: 'open' });
      await del(base, 'q/y');
      await until('5 live events', () => got.length >= 5);
    } finally {
      live.close();
    }
    const want = ['enter q/x', 'update q/x', 'leave q/x unmatched', 'enter q/y', 'leave q/y deleted'];
    return [JSON.stringify(got) === JSON.stringify(want) && messages === 0, `${JSON.stringify(got)}, ${messages} messages`];
  });
  const written = await polled(base);
  await until('the first stream to have every change', () => stream.got.events.length >= written.length);

  const lastId = stream.got.events.at(-1).id;
  await step('SIGTERM: a shutdown event with the last id, and exit status 0', async () => {
    const status = await stopServer(server);
    await until('the shutdown event', () => stream.got.shutdowns.length === 1);
    return [status === 0 && stream.got.shutdowns[0].id === lastId, `status ${status}, ${JSON.stringify(stream.got.shutdowns)}`];
  });

  await step('after a restart (same data dir) the EventSource reconnects by itself and sees every change exactly once', async () => {
    await stopServer(server); // (when the step before failed)
    server = await startServer(dir, server.port); // the same URL for the EventSource to come back to
    await put(base, 'd', { n: 4 });
    await txn(base, [
      { op: 'delete', name: 'b' },
      { op: 'put', name: 'e', data: 5 },
    ]);
    const all = await polled(base);
    await until('the changes written after the restart', () => stream.got.events.length >= all.length);
    const lines = stream.got.events.map((e) => e.line);
    return [
      JSON.stringify(lines) === JSON.stringify(all) && stream.got.opens >= 2,
      `${stream.got.opens} opens, got ${JSON.stringify(lines)}, the feed holds ${JSON.stringify(all)}`,
    ];
  });
} catch (e) {
  check(false, 'the test ran to its end', e.stack || String(e));
} finally {
  stream?.es.close();
  resumed?.es.close();
  if (server) await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failures === 0 ? 0 : 1);
