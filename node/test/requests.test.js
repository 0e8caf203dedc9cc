'use strict';
// The shared request vectors (tests/vectors/requests.json) through the real Client against a
// loopback stub: the exact body of every request it sends, and the field of every request it
// refuses before sending anything.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Client, YunhuniError } = require('yunhuni');
const { loadVectors, httpServer, rejectsWith } = require('./helpers.js');

const cases = loadVectors('requests.json');

const CALL_ID = '0123456789abcdef0123456789abcdef';
const CERT_ID = 'vector-cert';

/** What each operation of the vectors is in the binding: method, path, and its params' JavaScript names. */
const OPERATIONS = {
  duo_callback: {
    path: 'call/duo_callback',
    call: (client, p) => client.duoCallback(p),
    names: {
      to1: 'to1', to2: 'to2', max_call_duration: 'maxCallDuration', from1: 'from1', from2: 'from2',
      ring_tone: 'ringTone', ring_tone_mode: 'ringToneMode', max_dial_duration: 'maxDialDuration',
      recording: 'recording', record_mode: 'recordMode', user_data: 'userData',
    },
  },
  cancel_duo_callback: {
    path: 'call/duo_callback_cancel',
    call: (client, p) => client.cancelDuoCallback(p.callId),
    names: { call_id: 'callId' },
  },
  notify_call: {
    path: 'call/notify_call',
    call: (client, p) => client.notifyCall(p),
    names: {
      to: 'to', from: 'from', play_file: 'playFile', play_content: 'playContent', repeat: 'repeat',
      max_dial_duration: 'maxDialDuration', user_data: 'userData',
    },
  },
  verify_call: {
    path: 'call/verify_call',
    call: (client, p) => client.verifyCall(p),
    names: {
      to: 'to', from: 'from', verify_code: 'verifyCode', play_file: 'playFile', repeat: 'repeat',
      max_dial_duration: 'maxDialDuration', user_data: 'userData',
    },
  },
};

/** The vector's snake_case params as the binding takes them; an unknown name fails the case. */
function jsParams(c) {
  const op = OPERATIONS[c.operation];
  const out = {};
  for (const [key, value] of Object.entries(c.params)) {
    const name = op.names[key];
    assert.ok(name, `${c.name}: no JavaScript name for ${c.operation} param ${key}`);
    out[name] = key === 'play_content' ? value.map(([content, playType]) => ({ content, playType })) : value;
  }
  return out;
}

/** A field of the vectors (`play_content[0]`, `call_id`) as the binding reports it (`playContent[0]`, `callId`). */
function jsField(field) {
  return field.replace(/_([a-z0-9])/g, (_, ch) => ch.toUpperCase());
}

test.describe('request vectors against a stub server', () => {
  let server;
  let client;
  /** Every request the stub received, in order. */
  const received = [];

  test.before(async () => {
    server = await httpServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.push({ method: req.method, url: req.url, body });
        const cancel = req.url.endsWith('/call/duo_callback_cancel');
        const data = cancel ? null : { callId: CALL_ID, user_data: null };
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ code: '000000', msg: '请求成功', data }));
      });
    });
    client = new Client({ appId: 'vector-app', certId: CERT_ID, secretKey: 'vector-secret', baseUrl: server.url });
  });
  test.after(() => server.close());

  test('the vectors cover every operation, both outcomes', () => {
    assert.ok(cases.length > 0);
    for (const operation of Object.keys(OPERATIONS)) {
      assert.ok(cases.some((c) => c.operation === operation && 'body' in c.expect), `${operation}: a body case`);
      assert.ok(cases.some((c) => c.operation === operation && 'error' in c.expect), `${operation}: an error case`);
    }
    for (const c of cases) {
      assert.ok(OPERATIONS[c.operation], `${c.name}: unknown operation ${c.operation}`);
      assert.ok('body' in c.expect || c.expect.error === 'validation', `${c.name}: unknown expect`);
    }
  });

  for (const c of cases) {
    test(`${c.operation}: ${c.name}`, async () => {
      const op = OPERATIONS[c.operation];
      const before = received.length;
      const promise = op.call(client, jsParams(c));
      assert.ok(promise instanceof Promise, 'a Promise');
      if ('body' in c.expect) {
        const result = await promise;
        assert.equal(received.length, before + 1, 'exactly one request');
        const got = received[before];
        assert.equal(got.method, 'POST');
        assert.equal(got.url, `/v1/account/${CERT_ID}/${op.path}`);
        assert.equal(got.body.toString('utf8'), c.expect.body);
        if (c.operation === 'cancel_duo_callback') {
          assert.equal(result, undefined);
        } else {
          assert.equal(result.callId, CALL_ID);
        }
      } else {
        const err = await rejectsWith(promise, 'validation', YunhuniError);
        assert.equal(err.field, jsField(c.expect.field), err.message);
        assert.equal(received.length, before, 'nothing sent');
      }
    });
  }

  test('the stub received one request per body case and nothing else', () => {
    assert.equal(received.length, cases.filter((c) => 'body' in c.expect).length);
  });
});
