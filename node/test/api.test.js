'use strict';
// The typings declare exactly what the package exports at run time.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

function declared(file) {
  const text = fs.readFileSync(path.join(__dirname, '..', file), 'utf8');
  return [...text.matchAll(/^export (?:declare (?:class|function|const)|\* as) (\w+)/gm)].map((m) => m[1]).sort();
}

/** The members declared in `file` by the block that starts `export declare class NAME ` (or `export interface NAME `). */
function members(file, className, keyword = 'declare class') {
  const text = fs.readFileSync(path.join(__dirname, '..', file), 'utf8');
  const start = text.indexOf(`export ${keyword} ${className} `);
  assert.ok(start >= 0, `${file} declares ${className}`);
  const body = text.slice(start);
  const block = body.slice(0, body.indexOf('\n}\n'));
  return [...block.matchAll(/^ {2}(?:static )?(?:readonly )?(\w+)[(:?<]/gm)].map((m) => m[1]).filter((n) => n !== 'constructor').sort();
}

function runtimeMembers(cls) {
  const names = new Set([...Object.getOwnPropertyNames(cls.prototype), ...Object.getOwnPropertyNames(cls)]);
  for (const n of ['constructor', 'length', 'name', 'prototype']) names.delete(n);
  return [...names].filter((n) => typeof n === 'string').sort();
}

test('index.d.ts declares every export of index.js', () => {
  assert.deepEqual(declared('index.d.ts'), Object.keys(require('yunhuni')).sort());
});

test('testing.d.ts declares every export of testing.js', () => {
  assert.deepEqual(declared('testing.d.ts'), Object.keys(require('yunhuni/testing')).sort());
});

test('the classes in the typings have the members of the classes at run time', () => {
  const { Client } = require('yunhuni');
  const { Sandbox } = require('yunhuni/testing');
  // Client's own members in index.d.ts, and one method per operation in ops.d.ts (merged into Client).
  const declaredClient = [...members('index.d.ts', 'Client'), ...members('ops.d.ts', 'Operations', 'interface')].sort();
  assert.deepEqual(declaredClient, runtimeMembers(Client));
  assert.deepEqual(members('ops.d.ts', 'Operations', 'interface'), Object.keys(require('../ops.js')).sort());
  assert.match(fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8'), /^export interface Client extends Operations \{\}$/m);
  assert.deepEqual(members('testing.d.ts', 'Sandbox'), runtimeMembers(Sandbox));
});
