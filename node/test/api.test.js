'use strict';
// The typings declare exactly what the package exports at run time.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

function declared(file) {
  const text = fs.readFileSync(path.join(__dirname, '..', file), 'utf8');
  return [...text.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]).sort();
}

function members(file, className) {
  const text = fs.readFileSync(path.join(__dirname, '..', file), 'utf8');
  const body = text.slice(text.indexOf(`export declare class ${className} `));
  const block = body.slice(0, body.indexOf('\n}\n'));
  return [...block.matchAll(/^ {2}(?:static )?(?:readonly )?(\w+)[(:?]/gm)].map((m) => m[1]).filter((n) => n !== 'constructor').sort();
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
  assert.deepEqual(members('index.d.ts', 'Client'), runtimeMembers(Client));
  assert.deepEqual(members('testing.d.ts', 'Sandbox'), runtimeMembers(Sandbox));
});
