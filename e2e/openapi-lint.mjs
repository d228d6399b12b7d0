#!/usr/bin/env node
// Usage: node e2e/openapi-lint.mjs BASE_URL   (make api-lint starts a fresh server and passes its URL)
//
// The OpenAPI document the server serves at /api/schema, in the tools clients use to read it:
//  1. `redocly lint` (its recommended rules): no error allowed; warnings are printed and pass.
//  2. ajv 8, which most Node request/response validators are built on, compiles every schema as they
//     do: each of components/schemas, and every inline schema of a parameter, header, request body or
//     response; in strict mode, knowing only the OpenAPI keywords validators add to JSON Schema.
//     Each media type's `example` must then pass its compiled schema.
// Exits 1 with every problem found, 2 on bad usage.
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FETCH_MS = 10_000;
const LINT_MS = 120_000;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node e2e/openapi-lint.mjs BASE_URL   (e.g. http://127.0.0.1:8080)');
  process.exit(2);
}

const failures = [];

const res = await fetch(`${base}/api/schema`, { signal: AbortSignal.timeout(FETCH_MS) });
if (res.status !== 200) {
  console.error(`GET ${base}/api/schema answered ${res.status}: ${await res.text()}`);
  process.exit(1);
}
const text = await res.text();
const doc = JSON.parse(text);

redocly(text);
ajv(doc);

if (failures.length > 0) {
  console.error(`\nFAILED: the OpenAPI document at ${base}/api/schema (src/main/resources/META-INF/openapi.yaml):`);
  for (const failure of failures) {
    console.error(`  - ${failure}`);
  }
  process.exit(1);
}
console.log('ok   the OpenAPI document passes redocly lint and every schema compiles in ajv');

/** `redocly lint` of the served text, from a temporary file (it reads files); its findings one a line, by JSON pointer. */
function redocly(served) {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), served);
    const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    // No telemetry or update check: they would reach for the internet, which a CI machine may not have.
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const run = spawnSync(process.execPath, [cli, 'lint', '--format=json', 'openapi.json'],
      { cwd: dir, env, encoding: 'utf8', timeout: LINT_MS });
    if (run.error) {
      failures.push(`redocly lint did not run: ${run.error.message}`);
      return;
    }
    let problems;
    try {
      problems = JSON.parse(run.stdout).problems;
    } catch {
      failures.push(`redocly lint (exit status ${run.status}) did not report in JSON:\n${run.stdout}${run.stderr}`);
      return;
    }
    const errors = problems.filter(p => p.severity === 'error');
    for (const p of problems) {
      const line = `redocly ${p.severity} ${p.ruleId} at ${p.location?.[0]?.pointer ?? '?'}: ${p.message}`;
      if (p.severity === 'error') {
        failures.push(line);
      } else {
        console.log(line);
      }
    }
    console.log(`redocly lint: ${errors.length} errors, ${problems.length - errors.length} warnings`);
    if (errors.length === 0 && run.status !== 0) {
      failures.push(`redocly lint exited with status ${run.status} without reporting an error:\n${run.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compiles every schema of {@code doc} as express-openapi-validator and its peers do: an Ajv for the
 * document's JSON Schema dialect (draft-07 with `nullable` for 3.0, 2020-12 for 3.1), each component schema
 * added under its JSON pointer so that `$ref: '#/components/schemas/X'` resolves, the OpenAPI-only
 * keywords (`example`, `xml`, `externalDocs`, `x-*`) declared, `discriminator` on, and the formats OpenAPI
 * names known. Strict mode stays on: an unknown keyword or format, or a keyword ajv cannot apply (such
 * as `nullable` without `type`), fails the compilation.
 */
function ajv(doc) {
  const version = String(doc.openapi || '');
  if (!/^3\.[01]\./.test(version)) {
    failures.push(`openapi: ${JSON.stringify(doc.openapi)} is neither 3.0.x nor 3.1.x`);
    return;
  }
  const v31 = version.startsWith('3.1.');
  const options = { strict: true, allErrors: true, discriminator: true };
  const validator = v31 ? new Ajv2020(options) : new Ajv(options);
  (addFormats.default || addFormats)(validator);
  for (const [name, type] of Object.entries({ int32: 'number', int64: 'number', float: 'number', double: 'number',
    byte: 'string', binary: 'string', password: 'string' })) {
    validator.addFormat(name, { type, validate: () => true });
  }
  validator.addVocabulary(['example', 'xml', 'externalDocs', ...extensions(doc)]);

  const components = doc.components?.schemas || {};
  for (const [name, schema] of Object.entries(components)) {
    validator.addSchema(schema, `#/components/schemas/${name}`);
  }
  for (const name of Object.keys(components)) {
    compile(validator, `#/components/schemas/${name}`, () => validator.getSchema(`#/components/schemas/${name}`));
  }
  for (const [pointer, schema, example] of inlineSchemas(doc)) {
    const validate = compile(validator, pointer, () => validator.compile(schema));
    if (validate && example !== undefined && !validate(example)) {
      failures.push(`${pointer}: its example fails the schema: ${validator.errorsText(validate.errors)}`);
    }
  }
}

function compile(validator, pointer, how) {
  try {
    return how();
  } catch (e) {
    failures.push(`ajv cannot compile ${pointer}: ${e.message}`);
    return null;
  }
}

/** Every `x-` member of a schema anywhere in the document: validators declare them as keywords. */
function extensions(doc) {
  const names = new Set();
  const walk = node => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key.startsWith('x-')) {
          names.add(key);
        }
        walk(value);
      }
    }
  };
  walk(doc);
  return [...names];
}

/**
 * [pointer, schema, example] for every schema not under components/schemas: those of parameters and
 * headers, and of each media type of a request body or response (with the media type's `example`), in
 * paths and in the components that hold them. A `$ref` to a component is compiled as that component.
 */
function inlineSchemas(doc) {
  const out = [];
  const esc = token => token.replace(/~/g, '~0').replace(/\//g, '~1');
  const content = (node, at) => {
    for (const [media, object] of Object.entries(node?.content || {})) {
      if (object.schema) {
        out.push([`${at}/content/${esc(media)}/schema`, object.schema, object.example]);
      }
    }
  };
  const parameter = (node, at) => {
    if (node && !node.$ref) {
      if (node.schema) {
        out.push([`${at}/schema`, node.schema, undefined]);
      }
      content(node, at);
    }
  };
  const response = (node, at) => {
    if (node && !node.$ref) {
      for (const [name, header] of Object.entries(node.headers || {})) {
        parameter(header, `${at}/headers/${esc(name)}`);
      }
      content(node, at);
    }
  };
  const requestBody = (node, at) => {
    if (node && !node.$ref) {
      content(node, at);
    }
  };
  for (const [path, item] of Object.entries(doc.paths || {})) {
    const at = `#/paths/${esc(path)}`;
    (item.parameters || []).forEach((p, i) => parameter(p, `${at}/parameters/${i}`));
    for (const method of METHODS.filter(m => item[m])) {
      const op = item[method];
      (op.parameters || []).forEach((p, i) => parameter(p, `${at}/${method}/parameters/${i}`));
      requestBody(op.requestBody, `${at}/${method}/requestBody`);
      for (const [code, r] of Object.entries(op.responses || {})) {
        response(r, `${at}/${method}/responses/${code}`);
      }
    }
  }
  const c = doc.components || {};
  for (const [name, p] of Object.entries(c.parameters || {})) parameter(p, `#/components/parameters/${esc(name)}`);
  for (const [name, h] of Object.entries(c.headers || {})) parameter(h, `#/components/headers/${esc(name)}`);
  for (const [name, b] of Object.entries(c.requestBodies || {})) requestBody(b, `#/components/requestBodies/${esc(name)}`);
  for (const [name, r] of Object.entries(c.responses || {})) response(r, `#/components/responses/${esc(name)}`);
  return out;
}
