// The data browser's logic that needs no browser: names and addresses, the filter, JSON text kept as
// written, the SSE reader, line diffs and curl lines. Unit-tested with `node --test` (e2e/ui-logic.test.mjs).

/**
 * A name as one path segment of /api/apps/{name}: every '/' as %2F, and a name of dots spelled
 * %2E, since a browser would resolve /api/apps/.. before sending it.
 */
export function appPath(name) {
  const encoded = encodeURIComponent(name);
  return '/api/apps/' + (/^\.+$/.test(name) ? encoded.replace(/\./g, '%2E') : encoded);
}

/** A query string of the parameters that are set, each percent-encoded ('+' as %2B, space as %20). */
export function query(params) {
  const parts = [];
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      parts.push(key + '=' + encodeURIComponent(String(value)));
    }
  }
  return parts.length ? '?' + parts.join('&') : '';
}

/**
 * The address bar's place: `#/team/svc/config` is that app, `#/team/` that folder; `?filter=` after it
 * the filter box. Segments are percent-encoded, so a name may hold '?' or '#'.
 */
export function hashFor(place) {
  let hash = '#/' + (place.path || '').split('/').map(encodeURIComponent).join('/');
  if (place.filter) {
    hash += '?filter=' + encodeURIComponent(place.filter);
  }
  if (place.flat) {
    hash += (place.filter ? '&' : '?') + 'flat=1';
  }
  return hash;
}

export function parseHash(hash) {
  const text = (hash || '').replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const pathPart = q < 0 ? text : text.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  let path;
  try {
    path = pathPart.split('/').map(decodeURIComponent).join('/');
  } catch {
    path = pathPart;
  }
  return { path, filter: params.get('filter') || '', flat: params.get('flat') === '1' };
}

/** The folders above a path, outermost first: 'a/b/c' -> ['a/', 'a/b/']; 'a/b/' -> ['a/', 'a/b/']. */
export function ancestors(path) {
  const out = [];
  let i = path.indexOf('/');
  while (i >= 0) {
    out.push(path.slice(0, i + 1));
    i = path.indexOf('/', i + 1);
  }
  return out;
}

/** The folder a name is in ('' at the top). */
export function parentOf(name) {
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  return trimmed.slice(0, trimmed.lastIndexOf('/') + 1);
}

/** What a tree item shows: its last segment ('svc/' for the folder team/svc/). */
export function label(entry, prefix) {
  const key = entry.prefix ?? entry.name;
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

/**
 * One level of the tree under `prefix`. A server that answers `delimiter=/` sends `{"prefix"}` items
 * itself; one that ignores it lists every name, which this groups the same way (so a page of them
 * shows its folders, not thousands of names). Returns the entries in name order, and whether the
 * server did the grouping.
 */
export function level(items, prefix) {
  const out = [];
  const seen = new Set();
  let grouped = false;
  for (const item of items) {
    if (item.prefix !== undefined) {
      grouped = true;
      if (!seen.has(item.prefix)) {
        seen.add(item.prefix);
        out.push({ prefix: item.prefix });
      }
      continue;
    }
    const rest = item.name.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash >= 0 && slash < rest.length) {
      const folder = prefix + rest.slice(0, slash + 1);
      if (!seen.has(folder)) {
        seen.add(folder);
        out.push({ prefix: folder });
      }
      if (folder !== item.name) {
        continue;
      }
    }
    out.push({ name: item.name });
  }
  return { entries: out, grouped };
}

/**
 * Where the next page of a level grouped here starts: when the page ended inside a folder, past every
 * name in it (`after` the folder and U+10FFFF, the last code point), so that a folder of a million
 * names costs one page, not a million names; else the server's next link.
 */
export function nextOfGrouped(entries, next, prefix, limit) {
  const last = entries[entries.length - 1];
  if (!next || !last || last.prefix === undefined) {
    return next;
  }
  return '/api/apps' + query({ prefix, limit, after: last.prefix + '\u{10FFFF}' });
}

/** The entry of `name` in the level under `prefix`: the app itself, or the folder it lies in. */
export function entryFor(name, prefix) {
  if (!name.startsWith(prefix)) {
    return null;
  }
  const rest = name.slice(prefix.length);
  const slash = rest.indexOf('/');
  return slash >= 0 && slash < rest.length - 1 ? { prefix: prefix + rest.slice(0, slash + 1) } : { name };
}

/** Code point order, the order of app names (not UTF-16's, which puts U+1F600 before U+FFFF). */
export function compareNames(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) {
      return d;
    }
  }
  return x.length - y.length;
}

/**
 * The filter box: a selector when it starts with '{' (it must be a JSON object), else a name prefix.
 */
export function parseFilter(text) {
  const t = (text || '').trim();
  if (!t.startsWith('{')) {
    return { kind: 'prefix', prefix: (text || '').trimStart() };
  }
  try {
    const where = JSON.parse(t);
    if (where === null || typeof where !== 'object' || Array.isArray(where)) {
      return { kind: 'error', message: 'a where selector is a JSON object' };
    }
    return { kind: 'where', where: JSON.stringify(where) };
  } catch (e) {
    return { kind: 'error', message: 'not JSON: ' + e.message };
  }
}

/** The URL of a `Link: <...>; rel="next"` header, or null. */
export function nextLink(header) {
  if (!header) {
    return null;
  }
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /rel="?next"?/.test(m[2])) {
      return m[1];
    }
  }
  return null;
}

/**
 * Whether a text is JSON, and where it is not: { ok: true } or { ok: false, message }. JSON.parse is
 * only the check; the text itself is what gets sent, so numbers of any length and the order and
 * spelling of members stay as written.
 */
export function checkJson(text) {
  if (text.trim() === '') {
    return { ok: false, message: 'empty: a document is a JSON value (null, {}, [] ...)' };
  }
  try {
    JSON.parse(text);
    return { ok: true };
  } catch (e) {
    return { ok: false, message: e.message };
  }
}

/**
 * The value of member `key` of the top-level object of a JSON text, as the text spells it (no parse,
 * so 9007199254740993 stays that number); null when there is no such member.
 */
export function memberText(json, key) {
  let i = 0;
  let depth = 0;
  let expectKey = false;
  let currentKey = null;
  let valueStart = -1;
  const n = json.length;
  while (i < n) {
    const c = json[i];
    if (c === '"') {
      const start = i;
      i++;
      while (i < n && json[i] !== '"') {
        i += json[i] === '\\' ? 2 : 1;
      }
      i++;
      if (depth === 1 && expectKey) {
        currentKey = JSON.parse(json.slice(start, i));
        expectKey = false;
      }
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (depth === 1) {
        expectKey = true;
      }
    } else if (c === '}' || c === ']' || (c === ',' && depth === 1)) {
      if (depth === 1 && valueStart >= 0) {
        if (currentKey === key) {
          return json.slice(valueStart, i).trim();
        }
        valueStart = -1;
      }
      if (c === ',') {
        expectKey = true;
      } else {
        depth--;
      }
    } else if (c === ':' && depth === 1) {
      valueStart = i + 1;
    }
    i++;
  }
  return null;
}

/**
 * A JSON text indented two spaces a level, every token kept as written (numbers, escapes, repeated
 * members): what the read-only pane shows and the editor starts from.
 */
export function pretty(json) {
  let out = '';
  let indent = 0;
  let i = 0;
  const n = json.length;
  const newline = () => '\n' + '  '.repeat(indent);
  while (i < n) {
    const c = json[i];
    if (c === '"') {
      const start = i;
      i++;
      while (i < n && json[i] !== '"') {
        i += json[i] === '\\' ? 2 : 1;
      }
      i++;
      out += json.slice(start, i);
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      i++;
      continue;
    }
    if (c === '{' || c === '[') {
      // an empty object or array stays on one line
      let j = i + 1;
      while (j < n && ' \n\r\t'.includes(json[j])) {
        j++;
      }
      if (json[j] === (c === '{' ? '}' : ']')) {
        out += c + json[j];
        i = j + 1;
        continue;
      }
      indent++;
      out += c + newline();
    } else if (c === '}' || c === ']') {
      indent--;
      out += newline() + c;
    } else if (c === ',') {
      out += ',' + newline();
    } else if (c === ':') {
      out += ': ';
    } else {
      out += c;
    }
    i++;
  }
  return out;
}

/**
 * Reads a Server-Sent Events stream in pieces as fetch delivers them (an EventSource cannot send an
 * Authorization header): push() takes text, returns the complete events it ended, each
 * { event, id, data }; comments and `retry:` lines are dropped.
 */
export class SseReader {
  constructor() {
    this.buffer = '';
    this.event = { event: 'message', id: null, data: [] };
  }

  push(text) {
    this.buffer += text;
    const events = [];
    let nl;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const sep = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      if (this.buffer[nl] === '\r' && nl + 1 === this.buffer.length) {
        break; // a CR at the end may be the first half of a CRLF: wait for the next piece
      }
      this.buffer = this.buffer.slice(nl + sep);
      if (line === '') {
        if (this.event.data.length > 0) {
          events.push({ event: this.event.event, id: this.event.id, data: this.event.data.join('\n') });
        }
        this.event = { event: 'message', id: this.event.id, data: [] };
        continue;
      }
      if (line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) {
        value = value.slice(1);
      }
      if (field === 'event') {
        this.event.event = value;
      } else if (field === 'data') {
        this.event.data.push(value);
      } else if (field === 'id') {
        this.event.id = value;
      }
    }
    return events;
  }
}

/**
 * A line diff of two texts (longest common subsequence): [{ op: ' ' | '-' | '+', line }]. Texts of
 * more than 2000 lines are compared as a whole instead (the table would be too large).
 */
export function diffLines(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > 4_000_000) {
    return a === b ? x.map(line => ({ op: ' ', line })) : [...x.map(line => ({ op: '-', line })), ...y.map(line => ({ op: '+', line }))];
  }
  const m = x.length;
  const n = y.length;
  const lcs = Array.from({ length: m + 1 }, () => new Uint32Array(n + 1));
  for (let i = m - 1; i >= 0; i--) {
    for (let j = n - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < m && j < n) {
    if (x[i] === y[j]) {
      out.push({ op: ' ', line: x[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push({ op: '-', line: x[i++] });
    } else {
      out.push({ op: '+', line: y[j++] });
    }
  }
  while (i < m) {
    out.push({ op: '-', line: x[i++] });
  }
  while (j < n) {
    out.push({ op: '+', line: y[j++] });
  }
  return out;
}

/** A word for a POSIX shell, in single quotes unless it needs none. */
export function shellQuote(word) {
  return /^[A-Za-z0-9_\/:.,=@%+-]+$/.test(word) ? word : "'" + word.replace(/'/g, "'\\''") + "'";
}

/**
 * The curl command of a request the page made, so that whatever the page does a script can do. The key
 * is written as $MICROSTORE_KEY, never itself.
 */
export function curl(method, url, headers = {}, body) {
  const words = ['curl'];
  if (method === 'HEAD') {
    words.push('-I');
  } else if (method !== 'GET' || body !== undefined) {
    words.push('-X', method);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'authorization') {
      words.push('-H', '"Authorization: Bearer $MICROSTORE_KEY"');
    } else {
      words.push('-H', shellQuote(`${name}: ${value}`));
    }
  }
  if (body !== undefined && body !== null) {
    words.push('--data-binary', typeof body === 'string' ? shellQuote(body) : '@FILE');
  }
  words.push(shellQuote(url));
  return words.join(' ');
}

/** The seq of an ETag ("41" -> 41), or null. */
export function seqOf(etag) {
  const m = /^(?:W\/)?"(\d+)"$/.exec(etag || '');
  return m ? Number(m[1]) : null;
}

/** A transaction that renames an app: the new name created (absent before), the old deleted at its ETag. */
export function renameTxn(from, to, etag, dataText, ttl) {
  const put = `{"op":"put","name":${JSON.stringify(to)},"if_none_match":"*"` + (ttl ? `,"ttl":${ttl}` : '') +
    `,"data":${dataText}}`;
  const del = `{"op":"delete","name":${JSON.stringify(from)},"if_match":${JSON.stringify(etag)}}`;
  return `[${put},${del}]`;
}

/** The JSON-lines names of a 409 import problem (the server lists them in `names` or `detail`). */
export function conflictNames(problem) {
  if (Array.isArray(problem?.names)) {
    return problem.names;
  }
  if (Array.isArray(problem?.existing)) {
    return problem.existing;
  }
  return [];
}

/** The few numbers the metrics strip shows, from Prometheus text. */
export function metric(text, name) {
  const re = new RegExp('^' + name + '(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)', 'm');
  const m = re.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * What a key may do, in words, from `GET /api/keys/self` ({id, admin, rules: [{prefix, access}]}): the
 * prefixes it may write, those it may only read and those denied (the longest matching prefix decides, so a
 * denied prefix inside a written one is an exception to it). The empty prefix is "every name".
 */
export function scopeText(self) {
  if (!self) {
    return 'No key set.';
  }
  const who = self.id ? `Key "${self.id}"` : 'Without a key';
  if (self.admin) {
    return `${who}: admin, reads and writes every name.`;
  }
  const rules = [...(self.rules || [])].sort((a, b) => compareNames(a.prefix, b.prefix));
  const list = access => rules.filter(r => r.access === access)
    .map(r => (r.prefix === '' ? 'every name' : r.prefix)).join(', ');
  const parts = [['writes', list('write')], ['reads only', list('read')], ['denied', list('deny')]]
    .filter(([, names]) => names !== '')
    .map(([what, names]) => `${what} ${names}`);
  return parts.length === 0 ? `${who}: no name at all.` : `${who}: ${parts.join('; ')}.`;
}
