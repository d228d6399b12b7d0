// The data browser: the tree, the filter, the document pane, the live feed and the panels around them.
// It talks only to the public API (whatever it does, curl can: see the request log), the API's origin
// being this page's unless the page is opened with ?api=<origin> (then the server must allow this
// origin in cors.allow-origins).
import {
  ancestors, appPath, checkJson, compareNames, conflictNames, curl, diffLines, entryFor, hashFor, label, level,
  memberText, metric, nextLink, nextOfGrouped, parentOf, parseFilter, parseHash, pretty, query, renameTxn, scopeText, seqOf,
  SseReader,
} from './logic.js';

const $ = id => document.getElementById(id);
const LEVEL_LIMIT = 500;   // entries of one tree level per request; "More…" fetches the next page
const FLAT_LIMIT = 200;    // names of a flat or filtered page
const KEY_ITEM = 'microstore.key';

const base = (new URLSearchParams(location.search).get('api') || '').replace(/\/+$/, '');
let key = sessionStorage.getItem(KEY_ITEM) || '';
let keyWaiters = [];
let delimiterWorks = true;   // false once the server refused delimiter=/ (then levels are grouped here)

const state = {
  listKey: null,     // the filter and view the tree shows now
  levels: new Map(), // folder prefix -> its <ul> (tree view); '' is the top
  doc: null,         // the open app: { name, etag, dataText, expires, expiresIn } or null
  editing: null,     // 'edit' | 'new' | null
  changed: null,     // the open app's newer version the feed reported: { etag, op }
  feed: null,        // the running changes stream: { abort, prefix }
  lastCurl: null,    // the curl of the open app's last request
  history: [],
  historyPick: null,
  openToken: 0,      // the latest openApp or edit: an older openApp's answer is dropped
};

// ---- talking to the API ----------------------------------------------------------------------------

function logRequest(method, path, headers, body) {
  const line = curl(method, (base || location.origin) + path, headers, body);
  const li = document.createElement('li');
  li.textContent = line;
  const log = $('request-log');
  log.prepend(li);
  while (log.children.length > 100) {
    log.lastChild.remove();
  }
  $('request-count').textContent = String(Number($('request-count').textContent) + 1);
  return line;
}

/** Waits for a key from the key panel (a 401 asked for it). */
function askForKey(why) {
  showKeyPanel(why);
  return new Promise(resolve => keyWaiters.push(resolve));
}

/**
 * One request to the API: the key as a bearer token, the curl line logged, a 401 answered by asking for
 * a key and trying again. Returns { res, text }; network failures become a status 0.
 */
async function api(method, path, { headers = {}, body, signal, raw = false } = {}) {
  for (;;) {
    const h = { ...headers };
    if (key) {
      h.Authorization = 'Bearer ' + key;
    }
    const line = logRequest(method, path, h, body instanceof Blob ? null : body);
    let res;
    try {
      res = await fetch(base + path, { method, headers: h, body, signal });
    } catch (e) {
      if (e.name === 'AbortError') {
        throw e;
      }
      return { res: { status: 0, ok: false, headers: new Headers() }, text: '', error: e.message, curl: line };
    }
    if (res.status === 401) {
      await res.text();
      await askForKey(key ? 'The server refused this key. Enter another one.' : 'The server asks for a key.');
      continue;
    }
    return { res, text: raw ? null : await res.text(), curl: line };
  }
}

function problemText(r) {
  if (r.res.status === 0) {
    return 'the server cannot be reached (' + (r.error || 'network error') + ')';
  }
  try {
    const p = JSON.parse(r.text);
    return `${r.res.status} ${p.title || ''}${p.detail ? ': ' + p.detail : ''}`;
  } catch {
    return `${r.res.status} ${r.text.slice(0, 200)}`;
  }
}

function say(text, isError = false) {
  const m = $('message');
  m.textContent = text;
  m.className = isError ? 'error' : 'muted';
}

// ---- the key -----------------------------------------------------------------------------------------

function showKeyPanel(why) {
  $('key-panel').hidden = false;
  $('key-why').textContent = why || 'The key is kept for this tab only (sessionStorage).';
  $('key-input').focus();
  showScope();
}

/**
 * Shows what the key may read and write, as the server says (`GET /api/keys/self`), in the key panel and
 * beside the Key button. Not through api(): a 401 here is an answer to show, not a reason to ask again.
 */
async function showScope() {
  const h = key ? { Authorization: 'Bearer ' + key } : {};
  logRequest('GET', '/api/keys/self', h);
  let text;
  try {
    const res = await fetch(base + '/api/keys/self', { headers: h });
    if (res.ok) {
      text = scopeText(await res.json());
    } else if (res.status === 401) {
      text = key ? 'The server does not know this key.' : 'No key set.';
    } else {
      text = `The server does not say what this key may do (${res.status}).`;
    }
  } catch (e) {
    text = 'The server cannot be reached.';
  }
  $('key-scope').textContent = text;
  $('key-summary').textContent = text;
}

$('key-button').addEventListener('click', () => {
  if ($('key-panel').hidden) {
    showKeyPanel();
  } else {
    $('key-panel').hidden = true;
  }
});
$('key-form').addEventListener('submit', e => {
  e.preventDefault();
  key = $('key-input').value.trim();
  $('key-input').value = '';
  if (key) {
    sessionStorage.setItem(KEY_ITEM, key);
  }
  $('key-panel').hidden = true;
  const waiters = keyWaiters;
  keyWaiters = [];
  waiters.forEach(resolve => resolve());
  if (waiters.length === 0) {
    restartFeed();
  }
  showScope();
});
$('key-forget').addEventListener('click', () => {
  key = '';
  sessionStorage.removeItem(KEY_ITEM);
  showKeyPanel('Key forgotten.');
});

// ---- the tree ------------------------------------------------------------------------------------

const tree = $('tree');

function keyOf(entry) {
  return entry.prefix ?? entry.name;
}

function makeItem(entry, prefix, depth, flat) {
  const li = document.createElement('li');
  li.setAttribute('role', 'treeitem');
  li.tabIndex = -1;
  li.dataset.key = keyOf(entry);
  li.setAttribute('aria-level', String(depth));
  const text = flat ? keyOf(entry) : label(entry, prefix);
  li.setAttribute('aria-label', text);
  li.setAttribute('aria-selected', 'false');
  const row = document.createElement('span');
  row.className = 'row';
  row.textContent = text;
  li.append(row);
  if (entry.prefix !== undefined) {
    li.classList.add('folder');
    li.dataset.folder = '1';
    li.setAttribute('aria-expanded', 'false');
  } else {
    li.dataset.app = '1';
  }
  return li;
}

function moreItem(link, onMore, depth) {
  const li = document.createElement('li');
  li.setAttribute('role', 'treeitem');
  li.className = 'more';
  li.tabIndex = -1;
  li.setAttribute('aria-level', String(depth));
  li.setAttribute('aria-label', 'More…');
  li.dataset.more = link;
  const row = document.createElement('span');
  row.className = 'row';
  row.textContent = 'More…';
  li.append(row);
  li.activate = () => {
    li.remove();
    onMore(link);
  };
  return li;
}

/** Adds an entry to a level in name order, unless it is there. */
function insertSorted(ul, li) {
  const k = li.dataset.key;
  for (const other of ul.children) {
    if (other.dataset.more) {
      return; // past the loaded page: the next page will bring it
    }
    if (other.dataset.key === k) {
      return;
    }
    if (compareNames(other.dataset.key, k) > 0) {
      ul.insertBefore(li, other);
      return;
    }
  }
  ul.append(li);
}

/**
 * Loads one level under `prefix` into `ul`: with delimiter=/ (the server groups), else a flat page
 * grouped here. Returns the listing's Query-Seq.
 */
async function loadLevel(prefix, ul, depth, link, pages = 0) {
  let path = link || '/api/apps' + query({ prefix, delimiter: delimiterWorks ? '/' : '', limit: LEVEL_LIMIT });
  let r = await api('GET', path);
  if (r.res.status === 400 && delimiterWorks && !link) {
    delimiterWorks = false;   // a server without delimiter listings: group a flat page here
    path = '/api/apps' + query({ prefix, limit: LEVEL_LIMIT });
    r = await api('GET', path);
  }
  if (!r.res.ok) {
    showTreeError(ul, problemText(r));
    return null;
  }
  const items = JSON.parse(r.text);
  const { entries, grouped } = level(items, prefix);
  let added = 0;
  for (const entry of entries) {
    const li = makeItem(entry, prefix, depth, false);
    if (!ul.querySelector(`:scope > [data-key="${CSS.escape(li.dataset.key)}"]`)) {
      ul.append(li);
      added++;
    }
  }
  let next = nextLink(r.res.headers.get('Link'));
  if (!grouped && items.some(i => i.name.slice(prefix.length).includes('/'))) {
    // the server listed every name: skip the rest of the last folder, and go on while pages add little
    next = nextOfGrouped(entries, next, prefix, LEVEL_LIMIT);
    if (next && added < 50 && pages < 30) {
      return loadLevel(prefix, ul, depth, next, pages + 1);
    }
  }
  if (next) {
    ul.append(moreItem(next, l => loadLevel(prefix, ul, depth, l), depth));
  }
  $('tree-empty').hidden = tree.children.length > 0;
  fixTabStop();
  return r.res.headers.get('Query-Seq');
}

function showTreeError(ul, text) {
  const li = document.createElement('li');
  li.className = 'error';
  li.textContent = text;
  ul.append(li);
}

async function expandFolder(li, expand = true) {
  const already = li.getAttribute('aria-expanded') === 'true';
  if (already === expand) {
    return;
  }
  li.setAttribute('aria-expanded', String(expand));
  if (!expand) {
    li.querySelector(':scope > ul')?.remove();
    state.levels.delete(li.dataset.key);
    return;
  }
  const ul = document.createElement('ul');
  ul.setAttribute('role', 'group');
  li.append(ul);
  state.levels.set(li.dataset.key, ul);
  await loadLevel(li.dataset.key, ul, Number(li.getAttribute('aria-level')) + 1);
}

/** Loads a flat page: a filter's matches (prefix or where) or every name, with its count and plan. */
async function loadFlat(filter, link) {
  const p = filter.kind === 'where' ? { where: filter.where } : { prefix: filter.kind === 'prefix' ? filter.prefix : '' };
  let path = link || '/api/apps' + query({ ...p, limit: FLAT_LIMIT, count: 'exact' });
  let r = await api('GET', path);
  let countNote = '';
  if (r.res.status === 422 && !link) {
    // beyond the scan budget a count needs an index: list without it, and say so
    countNote = ' (' + problemText(r) + ')';
    path = '/api/apps' + query({ ...p, limit: FLAT_LIMIT });
    r = await api('GET', path);
  }
  if (!r.res.ok) {
    $('query-info').textContent = problemText(r);
    $('query-info').className = 'error';
    return null;
  }
  const total = r.res.headers.get('X-Total-Count');
  const plan = r.res.headers.get('Query-Plan');
  if (!link) {
    $('query-info').className = 'muted';
    $('query-info').textContent = (total !== null ? `${total} match${total === '1' ? '' : 'es'}` : 'matches') +
      countNote + (plan ? ` · Query-Plan: ${plan}` : '');
  }
  for (const item of JSON.parse(r.text)) {
    const li = makeItem({ name: item.name }, '', 1, true);
    if (!tree.querySelector(`:scope > [data-key="${CSS.escape(li.dataset.key)}"]`)) {
      tree.append(li);
    }
  }
  const next = nextLink(r.res.headers.get('Link'));
  if (next) {
    tree.append(moreItem(next, l => loadFlat(filter, l), 1));
  }
  $('tree-empty').hidden = tree.children.length > 0;
  fixTabStop();
  return r.res.headers.get('Query-Seq');
}

function currentFilter() {
  const place = parseHash(location.hash);
  const f = parseFilter(place.filter);
  return { place, filter: f, flat: place.flat || (f.kind !== 'prefix' || f.prefix !== '') };
}

/** Shows the tree (or the flat list) for the address bar's filter and view, and follows its changes. */
async function relist() {
  const { place, filter, flat } = currentFilter();
  state.listKey = place.filter + '|' + place.flat;
  tree.replaceChildren();
  state.levels = new Map();
  $('query-info').textContent = '';
  $('query-info').className = 'muted';
  if (filter.kind === 'error') {
    $('query-info').textContent = 'Filter: ' + filter.message;
    $('query-info').className = 'error';
    return;
  }
  let seq;
  if (flat) {
    seq = await loadFlat(filter);
  } else {
    state.levels.set('', tree);
    seq = await loadLevel('', tree, 1);
    // open the folders down to the address bar's place
    for (const folder of ancestors(place.path)) {
      const li = findItem(folder);
      if (!li) {
        break;
      }
      await expandFolder(li, true);
    }
  }
  markSelected();
  if (performance.getEntriesByName('first-level').length === 0) {
    performance.mark('first-level'); // what the browser test reports as the first level's time
  }
  if (seq !== null && seq !== undefined) {
    startFeed(seq, filter.kind === 'prefix' ? filter.prefix : '', filter.kind === 'where' ? filter.where : '');
  }
}

function findItem(k) {
  return [...tree.querySelectorAll('[role=treeitem]')].find(li => li.dataset.key === k) || null;
}

function markSelected() {
  const path = parseHash(location.hash).path;
  for (const li of tree.querySelectorAll('[aria-selected=true]')) {
    li.setAttribute('aria-selected', 'false');
  }
  const li = path ? findItem(path) : null;
  if (li) {
    li.setAttribute('aria-selected', 'true');
    setTabStop(li);
  } else {
    fixTabStop();
  }
}

function visibleItems() {
  return [...tree.querySelectorAll('[role=treeitem]')].filter(li => li.offsetParent !== null || li.getClientRects().length);
}

function setTabStop(li) {
  for (const other of tree.querySelectorAll('[role=treeitem][tabindex="0"]')) {
    other.tabIndex = -1;
  }
  li.tabIndex = 0;
}

function fixTabStop() {
  if (!tree.querySelector('[role=treeitem][tabindex="0"]')) {
    const first = tree.querySelector('[role=treeitem]');
    if (first) {
      first.tabIndex = 0;
    }
  }
}

async function activate(li) {
  if (li.activate) {
    li.activate();
    return;
  }
  setTabStop(li);
  if (li.dataset.folder) {
    await expandFolder(li, li.getAttribute('aria-expanded') !== 'true');
    return;
  }
  const { place } = currentFilter();
  location.hash = hashFor({ ...place, path: li.dataset.key });
}

tree.addEventListener('click', e => {
  const li = e.target.closest('[role=treeitem]');
  if (li) {
    li.focus();
    activate(li);
  }
});

// The tree's keys as the WAI-ARIA tree pattern has them: arrows move, Right/Left open and close, Enter opens.
tree.addEventListener('keydown', async e => {
  const li = e.target.closest('[role=treeitem]');
  if (!li) {
    return;
  }
  const items = visibleItems();
  const i = items.indexOf(li);
  const go = target => {
    if (target) {
      setTabStop(target);
      target.focus();
    }
  };
  switch (e.key) {
    case 'ArrowDown': go(items[i + 1]); break;
    case 'ArrowUp': go(items[i - 1]); break;
    case 'Home': go(items[0]); break;
    case 'End': go(items[items.length - 1]); break;
    case 'ArrowRight':
      if (li.dataset.folder) {
        if (li.getAttribute('aria-expanded') !== 'true') {
          await expandFolder(li, true);
        } else {
          go(li.querySelector('[role=treeitem]'));
        }
      }
      break;
    case 'ArrowLeft':
      if (li.dataset.folder && li.getAttribute('aria-expanded') === 'true') {
        await expandFolder(li, false);
      } else {
        go(li.parentElement.closest('[role=treeitem]'));
      }
      break;
    case 'Enter':
    case ' ':
      await activate(li);
      break;
    default:
      return;
  }
  e.preventDefault();
});

// ---- live: the changes feed ---------------------------------------------------------------------

/**
 * Follows /api/changes as a Server-Sent Events stream read through fetch (an EventSource cannot send
 * the key). A 410 or a `reset` event re-lists; a dropped stream resumes from the last event's id.
 */
function startFeed(since, prefix, where = '') {
  state.feed?.abort.abort();
  const abort = new AbortController();
  const feed = { abort, prefix, where, since: String(since) };
  state.feed = feed;
  (async () => {
    let delay = 500;
    while (!abort.signal.aborted) {
      let r;
      try {
        r = await api('GET', '/api/changes' + query({ since: feed.since, prefix, where }), {
          headers: { Accept: 'text/event-stream' }, signal: abort.signal, raw: true,
        });
      } catch {
        return; // aborted
      }
      if (r.res.status === 410) {
        relist();
        return;
      }
      if (r.res.ok && r.res.body) {
        delay = 500;
        const reader = r.res.body.pipeThrough(new TextDecoderStream()).getReader();
        const sse = new SseReader();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) {
              break;
            }
            for (const ev of sse.push(value)) {
              if (ev.id) {
                feed.since = ev.id;
              }
              if (ev.event === 'reset') {
                relist();
                return;
              }
              if (['put', 'delete', 'enter', 'update', 'leave'].includes(ev.event)) {
                const change = JSON.parse(ev.data);
                if (!change.event && ev.event !== 'put' && ev.event !== 'delete') {
                  change.event = ev.event; // a live query's stream names its events enter, update, leave
                }
                onChange(change);
              }
            }
          }
        } catch {
          if (abort.signal.aborted) {
            return;
          }
        }
      } else if (r.res.body) {
        await r.res.text().catch(() => {});
      }
      await new Promise(resolve => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  })();
}

function restartFeed() {
  if (state.feed) {
    startFeed(state.feed.since, state.feed.prefix, state.feed.where);
  }
}

/** A change from the feed: the tree gains or loses the name, the open app gets a banner. */
function onChange(change) {
  const { filter, flat } = currentFilter();
  if (flat) {
    // a live query (where) says whether the app entered or left the matches; a server without live
    // queries sends no "event", and then the list is left as it is
    if (filter.kind === 'where' && change.event) {
      const li = findItem(change.name);
      if (change.event === 'leave') {
        li?.remove();
      } else if (!li) {
        insertSorted(tree, makeItem({ name: change.name }, '', 1, true));
      }
    }
    if (filter.kind === 'prefix' && change.name.startsWith(filter.prefix)) {
      const li = findItem(change.name);
      if (change.op === 'delete') {
        li?.remove();
      } else if (!li) {
        insertSorted(tree, makeItem({ name: change.name }, '', 1, true));
      }
    }
  } else {
    // the deepest loaded level the name lies under
    let prefix = '';
    for (const p of state.levels.keys()) {
      if (change.name.startsWith(p) && p.length > prefix.length && change.name !== p) {
        prefix = p;
      }
    }
    const ul = state.levels.get(prefix);
    const entry = entryFor(change.name, prefix);
    if (ul && entry) {
      const existing = [...ul.children].find(li => li.dataset.key === keyOf(entry));
      if (change.op === 'delete') {
        if (existing && entry.name !== undefined) {
          existing.remove();
        }
      } else if (!existing) {
        insertSorted(ul, makeItem(entry, prefix, Number(ul === tree ? 1 : ul.closest('[role=treeitem]').getAttribute('aria-level')) + (ul === tree ? 0 : 1), false));
      }
    }
  }
  $('tree-empty').hidden = tree.children.length > 0;
  fixTabStop();
  const doc = state.doc;
  if (doc && change.name === doc.name && change.etag !== doc.etag) {
    state.changed = { etag: change.etag, op: change.op };
    $('banner-text').textContent = change.op === 'delete'
      ? `${doc.name} was deleted since you opened it.`
      : `${doc.name} changed since you opened it (now ETag ${change.etag}).`;
    $('banner').hidden = false;
  }
  if (doc && change.name === doc.name && !$('history').hidden) {
    loadHistory();
  }
}

$('banner-reload').addEventListener('click', () => {
  if (state.editing === 'edit' && !confirm('Discard your edits and load the stored version?')) {
    return;
  }
  openApp(state.doc.name);
});

// ---- the document pane ----------------------------------------------------------------------------

function showPane(which) {
  $('doc-empty').hidden = which !== 'empty';
  $('doc-view').hidden = which !== 'view';
  $('doc-edit').hidden = which !== 'edit';
  $('conflict').hidden = which !== 'conflict';
  if (which !== 'view') {
    $('history').hidden = true;
    $('history-button').setAttribute('aria-expanded', 'false');
  }
}

async function openApp(name) {
  state.editing = null;
  state.changed = null;
  $('banner').hidden = true;
  say('');
  const token = ++state.openToken;
  const r = await api('GET', appPath(name));
  if (token !== state.openToken) {
    return; // the person went on meanwhile (another app, New app, Edit): this answer would replace it
  }
  state.lastCurl = r.curl;
  if (r.res.status === 404) {
    state.doc = null;
    showPane('empty');
    say(`No app named ${name}.`, true);
    return;
  }
  if (!r.res.ok) {
    say(problemText(r), true);
    return;
  }
  const h = r.res.headers;
  state.doc = {
    name,
    etag: h.get('ETag'),
    dataText: memberText(r.text, 'data') ?? 'null',
    expires: h.get('Expires'),
    expiresIn: h.get('Expires-In'),
  };
  renderDoc();
}

function renderDoc() {
  const doc = state.doc;
  $('doc-name').textContent = doc.name;
  const meta = $('doc-meta');
  meta.replaceChildren();
  const add = (term, value) => {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    div.append(dt, dd);
    meta.append(div);
  };
  add('ETag', doc.etag);
  add('seq', String(seqOf(doc.etag)));
  add('expires', doc.expires ? `${doc.expires} (in ${doc.expiresIn} s)` : 'never');
  $('doc-json').textContent = pretty(doc.dataText);
  showPane('view');
}

function startEdit(mode) {
  state.openToken++;
  state.editing = mode;
  say('');
  const creating = mode === 'new';
  $('edit-title').textContent = creating ? 'New app' : 'Editing ' + state.doc.name;
  $('new-name-row').hidden = !creating;
  const { place } = currentFilter();
  $('new-name').value = creating ? parentOf(place.path || '') : '';
  $('editor').value = creating ? '{\n  \n}' : pretty(state.doc.dataText);
  $('ttl').value = creating ? '' : (state.doc.expiresIn || '');
  validate();
  showPane('edit');
  (creating ? $('new-name') : $('editor')).focus();
}

function validate() {
  const check = checkJson($('editor').value);
  $('editor').setAttribute('aria-invalid', String(!check.ok));
  $('editor-error').textContent = check.ok ? '' : 'Invalid JSON: ' + check.message;
  $('save').disabled = !check.ok;
  return check.ok;
}

$('editor').addEventListener('input', validate);
$('edit').addEventListener('click', () => startEdit('edit'));
$('new-app').addEventListener('click', () => startEdit('new'));
$('cancel').addEventListener('click', () => {
  if (state.editing === 'new' || !state.doc) {
    state.editing = null;
    showPane(state.doc ? 'view' : 'empty');
  } else {
    state.editing = null;
    renderDoc();
  }
});

function ttlParam() {
  const t = $('ttl').value.trim();
  return t ? { ttl: t } : {};
}

async function put(name, dataText, condition, ttl = {}) {
  return api('PUT', appPath(name) + query(ttl), {
    headers: { 'Content-Type': 'application/json', ...condition },
    body: `{"data":${dataText}}`,
  });
}

$('doc-edit').addEventListener('submit', async e => {
  e.preventDefault();
  if (!validate()) {
    return;
  }
  const text = $('editor').value;
  if (state.editing === 'new') {
    const name = $('new-name').value;
    if (!name) {
      say('A new app needs a name.', true);
      $('new-name').focus();
      return;
    }
    const r = await put(name, text, { 'If-None-Match': '*' }, ttlParam());
    if (r.res.status === 412) {
      say(`An app named ${name} exists already: open it to change it.`, true);
      return;
    }
    if (!r.res.ok) {
      say(problemText(r), true);
      return;
    }
    say(`Created ${name}.`);
    navigateTo(name);
    return;
  }
  const doc = state.doc;
  const r = await put(doc.name, text, { 'If-Match': doc.etag }, ttlParam());
  state.lastCurl = r.curl;
  if (r.res.status === 412) {
    await showConflict(text);
    return;
  }
  if (!r.res.ok) {
    say(problemText(r), true);
    return;
  }
  await openApp(doc.name);
  say(`Saved ${doc.name}: ETag ${state.doc?.etag}.`);
  $('doc-json').focus();
});

/** The app changed after it was opened: both versions side by side, Reload or Overwrite. */
async function showConflict(yours) {
  const r = await api('GET', appPath(state.doc.name));
  const gone = r.res.status === 404;
  state.conflict = { yours, etag: gone ? null : r.res.headers.get('ETag') };
  $('conflict-text').textContent = gone
    ? `${state.doc.name} was deleted since you opened it.`
    : `${state.doc.name} changed since you opened it (you opened ETag ${state.doc.etag}, now ${state.conflict.etag}).`;
  $('conflict-yours').textContent = pretty(yours);
  $('conflict-theirs').textContent = gone ? '(deleted)' : pretty(memberText(r.text, 'data') ?? 'null');
  $('banner').hidden = true;
  say('');
  showPane('conflict');
  $('conflict-reload').focus();
}

$('conflict-reload').addEventListener('click', () => openApp(state.doc.name));
$('conflict-overwrite').addEventListener('click', async () => {
  const c = state.conflict;
  const r = await put(state.doc.name, c.yours, c.etag ? { 'If-Match': c.etag } : { 'If-None-Match': '*' }, ttlParam());
  if (r.res.status === 412) {
    await showConflict(c.yours); // changed again meanwhile
    return;
  }
  if (!r.res.ok) {
    say(problemText(r), true);
    return;
  }
  await openApp(state.doc.name);
  say(`Overwrote ${state.doc.name}: ETag ${state.doc.etag}.`);
});

$('delete').addEventListener('click', async () => {
  const doc = state.doc;
  if (!confirm(`Delete ${doc.name}?`)) {
    return;
  }
  const r = await api('DELETE', appPath(doc.name), { headers: { 'If-Match': doc.etag } });
  state.lastCurl = r.curl;
  if (r.res.status === 412) {
    say(`Not deleted: ${doc.name} changed since you opened it. Look at the new version first.`, true);
    await openApp(doc.name);
    return;
  }
  if (!r.res.ok) {
    say(problemText(r), true);
    return;
  }
  findItem(doc.name)?.remove();
  state.doc = null;
  showPane('empty');
  const { place } = currentFilter();
  location.hash = hashFor({ ...place, path: parentOf(doc.name) });
  say(`Deleted ${doc.name}.`);
});

$('duplicate').addEventListener('click', async () => {
  const doc = state.doc;
  const to = prompt('Duplicate as', doc.name + ' copy');
  if (!to) {
    return;
  }
  const r = await put(to, doc.dataText, { 'If-None-Match': '*' });
  if (!r.res.ok) {
    say(r.res.status === 412 ? `An app named ${to} exists already.` : problemText(r), true);
    return;
  }
  say(`Duplicated ${doc.name} as ${to}.`);
  navigateTo(to);
});

$('rename').addEventListener('click', async () => {
  const doc = state.doc;
  const to = prompt('Rename to', doc.name);
  if (!to || to === doc.name) {
    return;
  }
  const r = await api('POST', '/api/txn', {
    headers: { 'Content-Type': 'application/json' },
    body: renameTxn(doc.name, to, doc.etag, doc.dataText, doc.expiresIn),
  });
  state.lastCurl = r.curl;
  if (!r.res.ok) {
    say(r.res.status === 412
      ? `Not renamed: ${to} exists already, or ${doc.name} changed since you opened it.`
      : problemText(r), true);
    return;
  }
  findItem(doc.name)?.remove();
  say(`Renamed ${doc.name} to ${to}.`);
  navigateTo(to);
});

$('copy-curl').addEventListener('click', async () => {
  const line = state.lastCurl || '';
  try {
    await navigator.clipboard.writeText(line);
    say('Copied: ' + line);
  } catch {
    say(line); // no clipboard (not a secure context): the line is shown to copy by hand
  }
});

function navigateTo(name) {
  const { place } = currentFilter();
  const hash = hashFor({ ...place, path: name });
  if (location.hash === hash) {
    openApp(name);
  } else {
    location.hash = hash;
  }
}

// ---- history ------------------------------------------------------------------------------------

/** The array elements of a JSON text, each as written. */
function elements(arrayText) {
  const out = [];
  let depth = 0;
  let start = 1;
  for (let i = 0; i < arrayText.length; i++) {
    const c = arrayText[i];
    if (c === '"') {
      i++;
      while (i < arrayText.length && arrayText[i] !== '"') {
        i += arrayText[i] === '\\' ? 2 : 1;
      }
    } else if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        const item = arrayText.slice(start, i).trim();
        if (item) {
          out.push(item);
        }
      }
    } else if (c === ',' && depth === 1) {
      out.push(arrayText.slice(start, i).trim());
      start = i + 1;
    }
  }
  return out;
}

/** The oldest seq the feed still answers from: 0, or found by halving when 0 is out of its window. */
async function oldestSince() {
  const r = await api('GET', '/api/changes' + query({ since: 0, limit: 1, prefix: '\u{10FFFF}' }));
  if (r.res.status !== 410) {
    return 0;
  }
  let hi = JSON.parse(r.text).last_seq;
  let lo = 0;
  while (lo + 1 < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const probe = await api('GET', '/api/changes' + query({ since: mid, limit: 1, prefix: '\u{10FFFF}' }));
    if (probe.res.status === 410) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

async function loadHistory() {
  const name = state.doc.name;
  let since = await oldestSince();
  const versions = [];
  for (let page = 0; page < 100; page++) {
    const r = await api('GET', '/api/changes' + query({ since, prefix: name, include: 'data', limit: 1000 }));
    if (!r.res.ok) {
      say(problemText(r), true);
      break;
    }
    const changes = elements(memberText(r.text, 'results') || '[]');
    for (const c of changes) {
      const meta = JSON.parse(c);
      if (meta.name === name) {
        versions.push({ seq: meta.seq, op: meta.op, etag: meta.etag, dataText: memberText(c, 'data') });
      }
    }
    const last = JSON.parse(memberText(r.text, 'last_seq'));
    if (changes.length === 0 || String(last) === String(since)) {
      break;
    }
    since = last;
  }
  state.history = versions.reverse();
  const list = $('history-list');
  list.replaceChildren();
  for (const v of state.history) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `seq ${v.seq}: ${v.op}${v.etag === state.doc.etag ? ' (open)' : ''}`;
    b.addEventListener('click', () => pickVersion(v));
    li.append(b);
    list.append(li);
  }
  if (versions.length === 0) {
    list.textContent = 'The feed holds no earlier version of this app.';
  }
  $('history-diff').replaceChildren();
  $('history-restore').hidden = true;
}

function pickVersion(v) {
  state.historyPick = v;
  const diff = $('history-diff');
  diff.replaceChildren();
  const from = v.dataText === null ? '' : pretty(v.dataText);
  for (const d of diffLines(from, pretty(state.doc.dataText))) {
    const span = document.createElement('span');
    span.className = d.op === '+' ? 'add' : d.op === '-' ? 'del' : '';
    span.textContent = `${d.op} ${d.line}\n`;
    diff.append(span);
  }
  diff.setAttribute('aria-label', `Diff from seq ${v.seq} (-) to the open version (+)`);
  $('history-restore').hidden = v.op !== 'put' || v.dataText === null;
}

$('history-button').addEventListener('click', async () => {
  const open = $('history').hidden;
  $('history').hidden = !open;
  $('history-button').setAttribute('aria-expanded', String(open));
  if (open) {
    await loadHistory();
  }
});

$('history-restore').addEventListener('click', async () => {
  const v = state.historyPick;
  const r = await put(state.doc.name, v.dataText, { 'If-Match': state.doc.etag });
  if (r.res.status === 412) {
    await showConflict(v.dataText);
    return;
  }
  if (!r.res.ok) {
    say(problemText(r), true);
    return;
  }
  await openApp(state.doc.name);
  say(`Restored seq ${v.seq}: now ETag ${state.doc.etag}.`);
});

// ---- export, import, indexes, health ---------------------------------------------------------------

function togglePanel(button, panel) {
  const open = $(panel).hidden;
  $(panel).hidden = !open;
  $(button).setAttribute('aria-expanded', String(open));
  return open;
}

$('transfer-button').addEventListener('click', () => togglePanel('transfer-button', 'transfer'));

$('export-button').addEventListener('click', async () => {
  const a = document.createElement('a');
  a.download = 'microstore-export.jsonl';
  if (!key && !base) {
    // streamed by the browser itself, not held in memory
    logRequest('GET', '/api/export', {});
    a.href = '/api/export';
  } else {
    const r = await api('GET', '/api/export', { raw: true });
    if (!r.res.ok) {
      say(problemText({ ...r, text: await r.res.text() }), true);
      return;
    }
    a.href = URL.createObjectURL(await r.res.blob());
  }
  document.body.append(a);
  a.click();
  a.remove();
});

async function importFile(overwrite) {
  const file = $('import-file').files[0];
  if (!file) {
    $('import-result').textContent = 'Pick a file first.';
    return;
  }
  $('import-conflict').hidden = true;
  const r = await api('POST', '/api/import' + query({ overwrite: overwrite ? 'true' : '' }), {
    headers: { 'Content-Type': 'application/x-ndjson' }, body: file,
  });
  if (r.res.status === 409) {
    const names = conflictNames(JSON.parse(r.text));
    $('import-conflict-text').textContent = problemText(r) + (names.length ? ' ' + names.join(', ') : '') +
      ' Nothing was imported. Overwrite them?';
    $('import-conflict').hidden = false;
    $('import-result').textContent = '';
    return;
  }
  $('import-result').textContent = r.res.ok ? 'Imported: ' + r.text : problemText(r);
  $('import-result').className = r.res.ok ? 'muted' : 'error';
  if (r.res.ok) {
    relist();
  }
}

$('import-form').addEventListener('submit', e => {
  e.preventDefault();
  importFile(false);
});
$('import-overwrite').addEventListener('click', () => importFile(true));

async function loadIndexes() {
  const r = await api('GET', '/api/indexes');
  if (r.res.status === 404 || r.res.status === 405) {
    $('indexes-button').hidden = true; // a server without indexes
    return false;
  }
  $('indexes-button').hidden = false;
  const body = $('indexes-body');
  body.replaceChildren();
  if (!r.res.ok) {
    $('index-result').textContent = problemText(r);
    return true;
  }
  for (const ix of JSON.parse(r.text)) {
    const tr = document.createElement('tr');
    for (const v of [ix.id, (ix.paths || []).join(', '), ix.state ?? '', ix.entries ?? '']) {
      const td = document.createElement('td');
      td.textContent = String(v);
      tr.append(td);
    }
    const td = document.createElement('td');
    const drop = document.createElement('button');
    drop.type = 'button';
    drop.textContent = 'Drop';
    drop.setAttribute('aria-label', 'Drop index ' + ix.id);
    drop.addEventListener('click', async () => {
      if (confirm(`Drop the index ${ix.id}?`)) {
        const d = await api('DELETE', '/api/indexes/' + encodeURIComponent(ix.id));
        $('index-result').textContent = d.res.ok ? `Dropped ${ix.id}.` : problemText(d);
        loadIndexes();
      }
    });
    td.append(drop);
    tr.append(td);
    body.append(tr);
  }
  return true;
}

$('indexes-button').addEventListener('click', () => {
  if (togglePanel('indexes-button', 'indexes')) {
    loadIndexes();
  }
});
$('index-form').addEventListener('submit', async e => {
  e.preventDefault();
  const id = $('index-id').value.trim();
  const paths = $('index-paths').value.split(',').map(s => s.trim()).filter(Boolean);
  const r = await api('PUT', '/api/indexes/' + encodeURIComponent(id), {
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ paths }),
  });
  $('index-result').textContent = r.res.ok ? `Index ${id} created.` : problemText(r);
  loadIndexes();
});

/** Health and a few of the store's meters, every 15 s (no key needed: /observe is not /api). */
async function refreshStrip() {
  const strip = $('strip');
  const parts = [];
  try {
    const h = await fetch(base + '/observe/health', { headers: { Accept: 'application/json' } });
    const status = h.status === 204 ? 'UP' : ((await h.json().catch(() => ({}))).status || String(h.status));
    parts.push([`health: ${status}`, status === 'UP' ? 'up' : 'down']);
    const m = await fetch(base + '/observe/metrics', { headers: { Accept: 'text/plain' } });
    if (m.ok) {
      const text = await m.text();
      for (const [name, title] of [['microstore_apps', 'apps'], ['microstore_last_seq', 'seq'],
        ['microstore_subscribers', 'watchers']]) {
        const v = metric(text, name);
        if (v !== null) {
          parts.push([`${title}: ${v.toLocaleString('en')}`, '']);
        }
      }
    }
  } catch {
    parts.push(['health: unreachable', 'down']);
  }
  strip.replaceChildren(...parts.map(([text, cls]) => {
    const span = document.createElement('span');
    span.textContent = text;
    span.className = cls;
    return span;
  }));
}

// ---- the address bar and the filter -----------------------------------------------------------------

let filterTimer;
$('filter').addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(applyFilter, 300);
});
$('filter').addEventListener('keydown', e => {
  if (e.key === 'Enter') {
    clearTimeout(filterTimer);
    applyFilter();
  }
});
$('flat').addEventListener('change', applyFilter);

function applyFilter() {
  const { place } = currentFilter();
  location.hash = hashFor({ path: place.path, filter: $('filter').value, flat: $('flat').checked });
}

async function route() {
  const place = parseHash(location.hash);
  if ($('filter').value !== place.filter && document.activeElement !== $('filter')) {
    $('filter').value = place.filter;
  }
  $('flat').checked = place.flat;
  if (state.listKey !== place.filter + '|' + place.flat) {
    await relist();
  } else if (!currentFilter().flat) {
    for (const folder of ancestors(place.path)) {
      const li = findItem(folder);
      if (li) {
        await expandFolder(li, true);
      }
    }
    markSelected();
  } else {
    markSelected();
  }
  if (place.path && !place.path.endsWith('/')) {
    if (state.doc?.name !== place.path || state.editing === null) {
      await openApp(place.path);
    }
  } else if (!state.editing) {
    state.doc = null;
    showPane('empty');
  }
}

window.addEventListener('hashchange', route);
$('swagger-link').href = (base || '..') + '/openapi/ui';
// the tree first: the strip and the indexes panel can wait for it
route().finally(() => {
  showScope();
  refreshStrip();
  setInterval(refreshStrip, 15_000);
  loadIndexes();
});
