'use strict';
// Every error kind from a real condition, argument mistakes, and secrets kept out of sight.

const test = require('node:test');
const assert = require('node:assert/strict');
const { inspect } = require('node:util');
const { Client, YunhuniError } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');
const { httpServer, silentServer, closedPort, rejectsWith } = require('./helpers.js');

const SECRET = 'NEVER-SHOWN-5d8f2a7c9e1b4d6fa3c0';
const CALL = { to1: '13800000001', to2: '13800000002', maxCallDuration: 60 };
const KINDS = ['validation', 'api', 'auth', 'http', 'timeout', 'transport', 'decode'];

/** Every error seen, to check afterwards that none shows a secret. */
const seen = [];
async function expectKind(promise, kind) {
  const err = await rejectsWith(promise, kind, YunhuniError);
  seen.push(err);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'YunhuniError');
  assert.ok(KINDS.includes(err.kind));
  for (const key of ['kind', 'code', 'status', 'field', 'platformMessage', 'maybeSent']) assert.ok(Object.hasOwn(err, key), key);
  assert.equal(typeof err.maybeSent, 'boolean');
  // Only a request that was written may have reached the server.
  if (!['transport', 'timeout'].includes(kind)) assert.equal(err.maybeSent, false, err.message);
  return err;
}

test.describe('error kinds from real conditions', () => {
  let sb;
  test.before(async () => { sb = await Sandbox.start({ timeScale: 200 }); });
  test.after(() => sb.close());

  test('api: cancel an unknown call id (020000)', async () => {
    const client = new Client(sb.clientOptions());
    const err = await expectKind(client.cancelDuoCallback('0123456789abcdef0123456789abcdef'), 'api');
    assert.equal(err.code, '020000');
    assert.equal(err.status, 200);
    assert.equal(err.field, null);
    assert.equal(typeof err.platformMessage, 'string');
    assert.ok(err.message.includes(err.platformMessage), err.message);
  });

  test('auth: a wrong secret key', async () => {
    const client = new Client(sb.clientOptions({ secretKey: SECRET }));
    const err = await expectKind(client.duoCallback(CALL), 'auth');
    assert.equal(err.status, 401);
    assert.equal(err.code, null);
  });

  test('validation: to1 === to2, out of range, wrong types, unknown options; nothing sent', async () => {
    const client = new Client(sb.clientOptions());
    const before = sb.calls().length;
    const cases = [
      [{ ...CALL, to2: CALL.to1 }, 'to2'],
      [{ ...CALL, maxCallDuration: 0 }, 'maxCallDuration'],
      [{ ...CALL, maxCallDuration: '60' }, 'maxCallDuration'],
      [{ ...CALL, maxCallDuration: 1.5 }, 'maxCallDuration'],
      [{ ...CALL, maxCallDuration: undefined }, 'maxCallDuration'],
      [{ ...CALL, to1: undefined }, 'to1'],
      [{ ...CALL, to1: 13800000001 }, 'to1'],
      [{ ...CALL, ringToneMode: 1 }, 'ringToneMode'],
      [{ ...CALL, recording: 'yes' }, 'recording'],
      [{ ...CALL, userData: 'x'.repeat(129) }, 'userData'],
      [{ ...CALL, max_call_duration: 60 }, 'max_call_duration'],
      [{ to1: '1', to2: '2', max_call_duration: 60 }, 'max_call_duration'],
    ];
    for (const [request, field] of cases) {
      const err = await expectKind(client.duoCallback(request), 'validation');
      assert.equal(err.field, field, err.message);
    }
    await expectKind(client.duoCallback(), 'validation');
    await expectKind(client.duoCallback('to1=1'), 'validation');
    const notify = await expectKind(client.notifyCall({ to: '1', playContent: [{ content: 'x', playType: 1 }] }), 'validation');
    assert.equal(notify.field, 'playContent[0]');
    const missing = await expectKind(client.notifyCall({ to: '1', playContent: [{ content: 'x' }] }), 'validation');
    assert.equal(missing.field, 'playContent[0].playType');
    const misspelt = await expectKind(client.notifyCall({ to: '1', playContent: [{ content: 'x', type: 1 }] }), 'validation');
    assert.equal(misspelt.field, 'playContent[0].type');
    const extra = await expectKind(client.notifyCall({ to: '1', playContent: [{ content: 'x', playType: 0, kind: 1 }] }), 'validation');
    assert.equal(extra.field, 'playContent[0].kind');
    assert.equal((await expectKind(client.notifyCall({ to: '1', playContent: 'a' }), 'validation')).field, 'playContent');
    assert.equal((await expectKind(client.verifyCall({ to: '1', verifyCode: '12a' }), 'validation')).field, 'verifyCode');
    assert.equal((await expectKind(client.cancelDuoCallback(''), 'validation')).field, 'callId');
    assert.equal((await expectKind(client.cancelDuoCallback(42), 'validation')).field, 'callId');
    assert.equal(sb.calls().length, before, 'no call was placed');
  });

  test('Promise APIs never throw synchronously', () => {
    const client = new Client(sb.clientOptions());
    for (const fn of [() => client.duoCallback(Symbol('x')), () => client.notifyCall(null), () => client.verifyCall(7), () => client.cancelDuoCallback({})]) {
      let promise;
      assert.doesNotThrow(() => { promise = fn(); });
      assert.ok(promise instanceof Promise);
      promise.catch(() => {});
    }
  });
});

test('http: a server answering 500', async () => {
  const server = await httpServer((req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'));
  try {
    const client = new Client({ appId: 'a', certId: 'c', secretKey: SECRET, baseUrl: server.url });
    const err = await expectKind(client.duoCallback(CALL), 'http');
    assert.equal(err.status, 500);
  } finally {
    await server.close();
  }
});

test('decode: a server answering 200 with junk', async () => {
  const server = await httpServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json'));
  try {
    const client = new Client({ appId: 'a', certId: 'c', secretKey: SECRET, baseUrl: server.url });
    const err = await expectKind(client.duoCallback(CALL), 'decode');
    assert.equal(err.status, 200);
  } finally {
    await server.close();
  }
});

test('timeout: a server that accepts and never answers (timeoutMs 300)', async () => {
  const server = await silentServer();
  try {
    const client = new Client({ appId: 'a', certId: 'c', secretKey: SECRET, baseUrl: server.url, timeoutMs: 300 });
    const started = Date.now();
    const err = await expectKind(client.duoCallback(CALL), 'timeout');
    const elapsed = Date.now() - started;
    assert.equal(err.maybeSent, true, 'the request was written before the wait');
    assert.ok(elapsed >= 250 && elapsed < 5000, `${elapsed} ms`);
  } finally {
    await server.close();
  }
});

test('transport: a closed port', async () => {
  const port = await closedPort();
  const client = new Client({ appId: 'a', certId: 'c', secretKey: SECRET, baseUrl: `http://127.0.0.1:${port}` });
  const err = await expectKind(client.duoCallback(CALL), 'transport');
  assert.equal(err.maybeSent, false, 'nothing was written');
});

test('constructor and options: synchronous validation errors naming the option', () => {
  const ok = { appId: 'a', certId: 'c', secretKey: SECRET };
  const cases = [
    [undefined, 'options'],
    [{ ...ok, appId: undefined }, 'appId'],
    [{ ...ok, secretKey: '' }, 'secretKey'],
    [{ ...ok, secretKey: 42 }, 'secretKey'],
    [{ ...ok, baseUrl: 'ftp://x' }, 'baseUrl'],
    [{ ...ok, timeoutMs: 0 }, 'timeoutMs'],
    [{ ...ok, timeoutMs: -5 }, 'timeoutMs'],
    [{ ...ok, connectTimeoutMs: '5' }, 'connectTimeoutMs'],
    [{ ...ok, connectRetries: -1 }, 'connectRetries'],
    [{ ...ok, maxIdleConnections: -1 }, 'maxIdleConnections'],
    [{ ...ok, maxIdleConnections: 65537 }, 'maxIdleConnections'],
    [{ ...ok, maxIdleConnections: 1.5 }, 'maxIdleConnections'],
    [{ ...ok, maxIdleConnections: '8' }, 'maxIdleConnections'],
    [{ ...ok, maxIdleConnections: true }, 'maxIdleConnections'],
    [{ ...ok, max_idle_connections: 8 }, 'max_idle_connections'],
    [{ ...ok, secret_key: SECRET }, 'secret_key'],
  ];
  for (const [options, field] of cases) {
    assert.throws(() => new Client(options), (e) => {
      seen.push(e);
      return e instanceof YunhuniError && e.kind === 'validation' && e.field === field;
    }, field);
  }
});

test('maxIdleConnections: accepted from 0 to 65536, and its errors say what was wrong', async () => {
  const server = await httpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' })
      .end('{"code":"000000","msg":"ok","data":{"callId":"0123456789abcdef0123456789abcdef"}}'));
  });
  try {
    for (const maxIdleConnections of [0, 1, 8, 65536]) {
      const client = new Client({ appId: 'a', certId: 'c', secretKey: SECRET, baseUrl: server.url, maxIdleConnections });
      const calls = await Promise.all([1, 2, 3].map(() => client.duoCallback(CALL)));
      assert.deepEqual(calls.map((c) => c.callId), Array(3).fill('0123456789abcdef0123456789abcdef'));
    }
  } finally {
    await server.close();
  }
  const message = (maxIdleConnections) => {
    try {
      new Client({ appId: 'a', certId: 'c', secretKey: SECRET, maxIdleConnections });
    } catch (e) {
      seen.push(e);
      return e.message;
    }
    return 'accepted';
  };
  assert.match(message(65537), /maxIdleConnections.*65537 is more than 65536/);
  assert.match(message(-1), /maxIdleConnections.*-1/);
  assert.match(message('8'), /maxIdleConnections/);
});

test('a secret never appears in an error message or in util.inspect of a client', () => {
  const client = new Client({ appId: 'app', certId: 'cert', secretKey: SECRET });
  for (const text of [
    inspect(client),
    inspect(client, { showHidden: true, depth: Infinity, getters: true }),
    JSON.stringify(client),
    String(client),
    Object.keys(client).join(','),
  ]) {
    assert.ok(!text.includes(SECRET), text);
  }
  assert.match(inspect(client), /appId: 'app'/);
  assert.ok(seen.length >= 20, `${seen.length} errors checked`);
  for (const err of seen) {
    for (const text of [err.message, err.stack, inspect(err), JSON.stringify(err)]) {
      assert.ok(!String(text).includes(SECRET), `${err.kind}: ${text}`);
    }
  }
  // Even when the secret is the wrong type, its value is not echoed.
  assert.throws(() => new Client({ appId: 'a', certId: 'c', secretKey: [SECRET] }), (e) => !e.message.includes(SECRET));
});

test('panics become rejected Promises or thrown Errors, never a crash', async () => {
  const native = require('../native.js');
  assert.throws(() => native.__testThrow('panic'), (e) => e instanceof Error && /panic/.test(e.message));
  await assert.rejects(native.__testPanicAsync(), (e) => e instanceof Error && /panicked/.test(e.message));
  // The worker pool still serves calls after a panic on one of its threads.
  await assert.rejects(native.__testPanicAsync(), /panicked/);
  assert.throws(() => native.__testThrow('error'), (e) => e instanceof YunhuniError && e.kind === 'validation'
    && e.field === 'what' && e.message === 'what: deliberate error for a test');
});
