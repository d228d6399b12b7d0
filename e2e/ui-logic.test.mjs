// The data browser's logic that needs no browser (src/main/resources/ui/logic.js): `node --test e2e/`
// runs it, as `make e2e` does before the browser tests.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  ancestors, appPath, checkJson, compareNames, curl, diffLines, entryFor, hashFor, label, level, memberText,
  metric, nextLink, nextOfGrouped, parentOf, parseFilter, parseHash, pretty, query, renameTxn, scopeText, seqOf,
  SseReader,
} from '../src/main/resources/ui/logic.js';

test('a name is one path segment: slashes, spaces, plus and percent encoded; a name of dots too', () => {
  assert.equal(appPath('team/svc/config'), '/api/apps/team%2Fsvc%2Fconfig');
  assert.equal(appPath('my app+1%'), '/api/apps/my%20app%2B1%25');
  assert.equal(appPath('..'), '/api/apps/%2E%2E');
  assert.equal(appPath('a.b'), '/api/apps/a.b');
  assert.equal(appPath('café'), '/api/apps/caf%C3%A9');
});

test('a query string has only the parameters that are set, a plus as %2B', () => {
  assert.equal(query({ prefix: 'a+b c/', delimiter: '/', after: '', limit: 5, x: undefined }),
    '?prefix=a%2Bb%20c%2F&delimiter=%2F&limit=5');
  assert.equal(query({}), '');
});

test('the address bar keeps the place and the filter, and reads them back', () => {
  for (const place of [
    { path: 'team/svc/config', filter: '', flat: false },
    { path: 'team/', filter: '{"/a": 1}', flat: false },
    { path: 'odd?name#/x y', filter: 'team/', flat: true },
    { path: '', filter: '', flat: false },
  ]) {
    assert.deepEqual(parseHash(hashFor(place)), place);
  }
  assert.equal(hashFor({ path: 'team/svc/config' }), '#/team/svc/config');
  assert.deepEqual(parseHash(''), { path: '', filter: '', flat: false });
});

test('the folders above a path, and the folder of a name', () => {
  assert.deepEqual(ancestors('a/b/c'), ['a/', 'a/b/']);
  assert.deepEqual(ancestors('a/b/'), ['a/', 'a/b/']);
  assert.deepEqual(ancestors('a'), []);
  assert.equal(parentOf('a/b/c'), 'a/b/');
  assert.equal(parentOf('a/b/'), 'a/');
  assert.equal(parentOf('a'), '');
});

test('a level from a delimiter listing keeps the server grouping; a flat page is grouped the same way', () => {
  const fromServer = level([{ prefix: 'team/a/' }, { name: 'team/b' }, { prefix: 'team/c/' }], 'team/');
  assert.deepEqual(fromServer, { entries: [{ prefix: 'team/a/' }, { name: 'team/b' }, { prefix: 'team/c/' }], grouped: true });
  const flat = level([{ name: 'team/a/1' }, { name: 'team/a/2' }, { name: 'team/a/x/3' }, { name: 'team/b' },
    { name: 'team/c/' }], 'team/');
  assert.deepEqual(flat, { entries: [{ prefix: 'team/a/' }, { name: 'team/b' }, { prefix: 'team/c/' }, { name: 'team/c/' }],
    grouped: false });
  assert.equal(label({ prefix: 'team/a/' }, 'team/'), 'a/');
  assert.equal(label({ name: 'team/b' }, 'team/'), 'b');
});

test('a change finds its entry in a level: the app itself, or the folder it lies in', () => {
  assert.deepEqual(entryFor('team/a/1', ''), { prefix: 'team/' });
  assert.deepEqual(entryFor('team/a/1', 'team/'), { prefix: 'team/a/' });
  assert.deepEqual(entryFor('team/a/1', 'team/a/'), { name: 'team/a/1' });
  assert.deepEqual(entryFor('team/', ''), { name: 'team/' });
  assert.equal(entryFor('other', 'team/'), null);
});

test('names sort by code point, as the server lists them', () => {
  assert.ok(compareNames('\uffff', '\u{1F600}') < 0);
  assert.ok(compareNames('a', 'a/') < 0);
  assert.ok(compareNames('b', 'a') > 0);
  assert.equal(compareNames('x', 'x'), 0);
});

test('the filter is a prefix, or a where selector when it starts with {', () => {
  assert.deepEqual(parseFilter('team/'), { kind: 'prefix', prefix: 'team/' });
  assert.deepEqual(parseFilter(''), { kind: 'prefix', prefix: '' });
  assert.deepEqual(parseFilter(' {"/status": "up"} '), { kind: 'where', where: '{"/status":"up"}' });
  assert.equal(parseFilter('{"/a": ').kind, 'error');
  assert.equal(parseFilter('{').kind, 'error');
});

test('the next link of a Link header', () => {
  assert.equal(nextLink('</api/apps?cursor=abc>; rel="next"'), '/api/apps?cursor=abc');
  assert.equal(nextLink('</x>; rel="prev", </api/apps?after=a%2Cb>; rel="next"'), '/api/apps?after=a%2Cb');
  assert.equal(nextLink(null), null);
  assert.equal(nextLink('</x>; rel="prev"'), null);
});

test('JSON is checked, not rewritten: invalid text says why, valid text passes', () => {
  assert.deepEqual(checkJson('{"a": 1}'), { ok: true });
  assert.equal(checkJson('{"a": }').ok, false);
  assert.equal(checkJson('   ').ok, false);
  assert.equal(checkJson('9007199254740993').ok, true);
});

test('the data member is taken as written: long numbers, escapes and repeated members survive', () => {
  const body = '{"name":"a,b}","data":{"n":9007199254740993,"s":"\\u0041\\"}","a":1,"a":2}}';
  assert.equal(memberText(body, 'data'), '{"n":9007199254740993,"s":"\\u0041\\"}","a":1,"a":2}');
  assert.equal(memberText('{"name":"x","data":[1,[2]]}', 'data'), '[1,[2]]');
  assert.equal(memberText('{"name":"x","data":-0}', 'data'), '-0');
  assert.equal(memberText('{"results":[],"last_seq":41}', 'last_seq'), '41');
  assert.equal(memberText('{"name":"x"}', 'data'), null);
});

test('pretty printing indents and keeps every token as written', () => {
  assert.equal(pretty('{"a":[1,2],"b":{},"c":[],"d":"x:,{"}'), '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {},\n  "c": [],\n  "d": "x:,{"\n}');
  assert.equal(pretty('1.0e5'), '1.0e5');
  assert.equal(pretty('{"n":9007199254740993}'), '{\n  "n": 9007199254740993\n}');
  assert.equal(pretty(pretty('{"a":{"b":[true,null]}}')), pretty('{"a":{"b":[true,null]}}'));
});

test('the SSE reader takes events split anywhere, drops comments and retry, keeps ids', () => {
  const stream = 'retry: 1374\n: microstore changes\n\nid: 41.0\nevent: put\ndata: {"seq":41,"name":"a"}\n\n' +
    ': keep-alive\n\nid: 41\r\nevent: delete\r\ndata: {"seq":41,\r\ndata: "name":"b"}\r\n\r\n';
  for (const size of [1, 2, 7, stream.length]) {
    const reader = new SseReader();
    const events = [];
    for (let i = 0; i < stream.length; i += size) {
      events.push(...reader.push(stream.slice(i, i + size)));
    }
    assert.deepEqual(events, [
      { event: 'put', id: '41.0', data: '{"seq":41,"name":"a"}' },
      { event: 'delete', id: '41', data: '{"seq":41,\n"name":"b"}' },
    ], `pieces of ${size}`);
  }
});

test('a line diff marks what was taken out and put in', () => {
  assert.deepEqual(diffLines('a\nb\nc', 'a\nx\nc'), [
    { op: ' ', line: 'a' }, { op: '-', line: 'b' }, { op: '+', line: 'x' }, { op: ' ', line: 'c' }]);
  assert.deepEqual(diffLines('a', 'a'), [{ op: ' ', line: 'a' }]);
  assert.deepEqual(diffLines('', 'a').filter(d => d.op === '+'), [{ op: '+', line: 'a' }]);
});

test('curl lines quote for the shell and never show the key', () => {
  assert.equal(curl('GET', 'http://h/api/apps/a%20b'), 'curl http://h/api/apps/a%20b');
  assert.equal(curl('PUT', 'http://h/api/apps/x', { 'If-Match': '"4"', Authorization: 'Bearer secret' }, `{"data":"it's"}`),
    `curl -X PUT -H 'If-Match: "4"' -H "Authorization: Bearer $MICROSTORE_KEY" --data-binary '{"data":"it'\\''s"}' http://h/api/apps/x`);
  assert.ok(!curl('GET', 'http://h/', { Authorization: 'Bearer secret' }).includes('secret'));
});

test('a rename is one transaction: create the new name where absent, delete the old at its ETag', () => {
  const txn = JSON.parse(renameTxn('a', 'b', '"7"', '{"n":1}', '60'));
  assert.deepEqual(txn, [
    { op: 'put', name: 'b', if_none_match: '*', ttl: 60, data: { n: 1 } },
    { op: 'delete', name: 'a', if_match: '"7"' },
  ]);
  assert.ok(renameTxn('a', 'b', '"7"', '9007199254740993').includes('"data":9007199254740993'));
});

test('seqs of ETags and numbers of Prometheus text', () => {
  assert.equal(seqOf('"41"'), 41);
  assert.equal(seqOf('W/"41"'), 41);
  assert.equal(seqOf('x'), null);
  const text = '# TYPE microstore_apps gauge\nmicrostore_apps 1000000.0\nmicrostore_last_seq{a="b"} 42\n';
  assert.equal(metric(text, 'microstore_apps'), 1000000);
  assert.equal(metric(text, 'microstore_last_seq'), 42);
  assert.equal(metric(text, 'microstore_nothing'), null);
});

test('a level grouped in the page skips the rest of the folder its page ended in', () => {
  assert.equal(nextOfGrouped([{ name: 'a' }, { prefix: 't/x/' }], '/api/apps?after=t%2Fx%2F9', 't/', 500),
    '/api/apps?prefix=t%2F&limit=500&after=t%2Fx%2F%F4%8F%BF%BF');
  assert.equal(nextOfGrouped([{ prefix: 't/x/' }, { name: 't/y' }], '/next', 't/', 500), '/next');
  assert.equal(nextOfGrouped([{ prefix: 't/x/' }], null, 't/', 500), null);
});

test('what a key may do, in words: writes, reads only, denied; admin; the empty prefix is every name', () => {
  assert.equal(scopeText(null), 'No key set.');
  assert.equal(scopeText({ id: 'root', admin: true, rules: [] }), 'Key "root": admin, reads and writes every name.');
  assert.equal(scopeText({ id: 'ci', admin: false, rules: [
    { prefix: 'team/secrets/', access: 'deny' },
    { prefix: 'team/', access: 'write' },
    { prefix: '', access: 'read' },
    { prefix: 'shared/', access: 'write' },
  ] }), 'Key "ci": writes shared/, team/; reads only every name; denied team/secrets/.');
  assert.equal(scopeText({ id: 'none', admin: false, rules: [] }), 'Key "none": no name at all.');
  assert.equal(scopeText({ id: null, admin: false, rules: [{ prefix: '', access: 'read' }] }),
    'Without a key: reads only every name.');
});
