'use strict';
// Every shared vector of tests/vectors: signing and webhook events.

const test = require('node:test');
const assert = require('node:assert/strict');
const { sign, stringToSign, parseEvent, YunhuniError } = require('yunhuni');
const { loadVectors, camelKeys } = require('./helpers.js');

const signing = loadVectors('signing.json');
const events = loadVectors('events.json');

test('signing vectors: stringToSign and sign, body as string and as Buffer', () => {
  assert.ok(signing.length > 0);
  for (const c of signing) {
    const base = { method: c.method, uri: c.uri, timestamp: c.timestamp, appId: c.app_id, contentType: c.content_type };
    for (const body of [c.body, Buffer.from(c.body_hex, 'hex'), new Uint8Array(Buffer.from(c.body_hex, 'hex'))]) {
      assert.equal(stringToSign({ ...base, body }), c.string_to_sign, c.name);
      assert.equal(sign({ ...base, body, secretKey: c.secret_key }), c.signature, c.name);
    }
  }
});

test('signing: the query string of uri is not signed; body and contentType default', () => {
  const c = signing.find((v) => v.name === 'known-answer-post');
  const base = { method: 'POST', timestamp: c.timestamp, appId: c.app_id, body: c.body };
  assert.equal(stringToSign({ ...base, uri: `${c.uri}?a=1&b=2` }), c.string_to_sign);
  // The SDK's own Content-Type is the default.
  assert.equal(sign({ ...base, uri: c.uri, secretKey: c.secret_key }), c.signature);
  const get = signing.find((v) => v.name === 'known-answer-get');
  assert.equal(stringToSign({ method: 'GET', uri: get.uri, timestamp: get.timestamp, appId: get.app_id }), get.string_to_sign);
});

test('signing: argument mistakes throw validation errors naming the field', () => {
  const ok = { method: 'POST', uri: '/x', timestamp: '20170301120000', appId: 'a', secretKey: 'TOPSECRET-1' };
  const cases = [
    [{ ...ok, method: undefined }, 'method'],
    [{ ...ok, appId: 5 }, 'appId'],
    [{ ...ok, body: 12 }, 'body'],
    [{ ...ok, secretKey: undefined }, 'secretKey'],
    [{ ...ok, app_id: 'a' }, 'app_id'],
  ];
  for (const [input, field] of cases) {
    assert.throws(() => sign(input), (e) => e instanceof YunhuniError && e.kind === 'validation' && e.field === field, field);
  }
  assert.throws(() => stringToSign(null), (e) => e instanceof YunhuniError && e.kind === 'validation');
  assert.throws(() => sign('POST /x'), (e) => e instanceof YunhuniError && e.kind === 'validation');
});

test('event vectors: parseEvent gives the canonical view with camelCase keys', () => {
  assert.ok(events.length > 0);
  let checked = 0;
  for (const c of events) {
    const bytes = Buffer.from(c.body_hex, 'hex');
    const inputs = [bytes, new Uint8Array(bytes)];
    if ('body' in c) inputs.push(c.body);
    for (const input of inputs) {
      if (c.source === 'malformed') {
        assert.throws(
          () => parseEvent(input),
          (e) => e instanceof YunhuniError && e.kind === c.expect.error,
          c.name,
        );
      } else {
        const got = parseEvent(input);
        assert.deepStrictEqual(got, camelKeys(c.expect), c.name);
        assert.equal(Object.getPrototypeOf(got), Object.prototype, 'a plain object');
      }
      checked += 1;
    }
  }
  assert.ok(checked >= events.length * 2);
});

test('parseEvent: decode errors name the field in camelCase; wrong types are validation', () => {
  assert.throws(
    () => parseEvent('{"event":"duo_callback.end","hangup_by":true}'),
    (e) => e instanceof YunhuniError && e.kind === 'decode' && e.field === 'hangupBy',
  );
  for (const bad of [undefined, null, 42, {}, ['{}']]) {
    assert.throws(() => parseEvent(bad), (e) => e instanceof YunhuniError && e.kind === 'validation' && e.field === 'body');
  }
});
