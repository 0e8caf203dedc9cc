'use strict';
// Every case table of tests/cases/ whose fixtures are declared in the table (callcenter.json,
// messaging.json), from Node against the sandbox through the SDK: valid input and at least one
// broken rule per field, with what the SDK refuses before sending and what the platform answers.
// One runner for every such table: a case's `needs` names a fixture, a list of SDK steps (`op`,
// `fields`, `save` of values of the answer into $NAMES, `until` a path has a value).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Client, YunhuniError } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');
const { REPO } = require('./helpers.js');

const DIR = path.join(REPO, 'tests', 'cases');
const TABLES = Object.fromEntries(
  fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'))])
    .filter(([, t]) => t.fixtures !== undefined),
);

/** snake_case to camelCase, as the binding names fields. */
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function substitute(value, names) {
  if (typeof value === 'string') {
    // Longer names first, so that $EXT2 is not read as $EXT followed by 2.
    for (const name of Object.keys(names).sort((a, b) => b.length - a.length)) {
      value = value.replaceAll(`$${name}`, names[name]);
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, names));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, names)]));
  }
  return value;
}

function atPath(data, p) {
  for (const part of p.split('.')) {
    if (data === null || data === undefined || typeof data !== 'object') return undefined;
    data = data[part];
  }
  return data === null ? undefined : data;
}

const nodeFields = (fields) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [camel(k), v]));

let sb;
let client;
let counter = 1000;

before(async () => {
  sb = await Sandbox.start({ timeScale: 200 });
  for (const table of Object.values(TABLES)) {
    for (const [number, behavior] of Object.entries(table.scripted || {})) sb.setBehavior(number, behavior);
  }
  client = new Client(sb.clientOptions());
});
after(async () => {
  await sb.close();
});

async function runFixture(table, fixture, names) {
  for (const step of table.fixtures[fixture]) {
    const fields = nodeFields(substitute(step.fields, names));
    const deadline = Date.now() + 30000;
    let data;
    for (;;) {
      data = await client.request(step.op, fields);
      if (step.until === undefined || atPath(data, step.until) !== undefined) break;
      assert.ok(Date.now() < deadline, `fixture step ${JSON.stringify(step)} never gave ${step.until}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const [name, p] of Object.entries(step.save || {})) {
      const value = atPath(data, p);
      assert.ok(typeof value === 'string' && value.length > 0, `${JSON.stringify(step)}: ${JSON.stringify(data)}`);
      names[name] = value;
    }
  }
}

test('the tables are found', () => {
  assert.ok(TABLES.callcenter.cases.length >= 150);
});

for (const [tableName, table] of Object.entries(TABLES)) {
  for (const c of table.cases) {
    test(`${tableName}: ${c.name}`, async () => {
      const names = { N: String(counter++), UNKNOWN: table.unknown_id };
      if (c.needs !== undefined) await runFixture(table, c.needs, names);
      const fields = nodeFields(substitute(c.fields, names));
      if (c.client.kind === 'ok') {
        const data = await client.request(c.op, fields);
        if (!('data' in c)) return;
        const want = substitute(c.data, names);
        if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
          for (const [k, v] of Object.entries(want)) {
            if (v === '$ANY') assert.ok(typeof data[k] === 'string' && data[k].length > 0, `${k}: ${JSON.stringify(data)}`);
            else assert.deepEqual(data[k], v, `${k}: ${JSON.stringify(data)}`);
          }
        } else if (want === null) {
          // A null answer is undefined in Node.
          assert.equal(data ?? null, null);
        } else if (want === '$ANY') {
          assert.ok(typeof data === 'string' && data.length > 0, JSON.stringify(data));
        } else {
          assert.deepEqual(data, want);
        }
        return;
      }
      await assert.rejects(client.request(c.op, fields), (e) => {
        assert.ok(e instanceof YunhuniError, String(e));
        assert.equal(e.kind, c.client.kind, e.message);
        if (c.client.kind === 'validation') {
          assert.equal(e.field, camel(c.client.field), e.message);
          assert.equal(e.status, null);
        } else if (c.client.kind === 'http') {
          assert.equal(e.status, c.client.status, e.message);
        } else {
          assert.equal(e.code, c.client.code, e.message);
          assert.equal(e.status, 200);
        }
        return true;
      });
    });
  }
}
