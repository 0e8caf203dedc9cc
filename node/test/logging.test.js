'use strict';
// What the SDK tells about its requests: the `onRequest` hook of a client, and YUNHUNI_LOG,
// which writes each request and each parsed event to stderr for clients without a hook.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Client, YunhuniError } = require('yunhuni');
const { recordingStub, closedPort, rejectsWith } = require('./helpers.js');

const SECRET = 'NEVER-SHOWN-7c1d0e9b5a3f4e28';
const CALL = { to1: '13800000001', to2: '13800000002', maxCallDuration: 60 };
const KEYS = ['attempts', 'code', 'durationMs', 'errorKind', 'method', 'path', 'status'];
const PACKAGE = path.join(__dirname, '..');

/** A client of `url` whose hook collects into `logs`. */
function hooked(url, logs, extra = {}) {
  return new Client({ appId: 'app', certId: 'cert', secretKey: SECRET, baseUrl: url, onRequest: (log) => logs.push(log), ...extra });
}

test.describe('the onRequest hook', () => {
  let stub;
  test.before(async () => { stub = await recordingStub(); });
  test.after(() => stub.close());

  test('hears of each request before the call settles, with its method, path, status and code', async () => {
    const logs = [];
    const client = hooked(stub.url, logs);
    stub.answerWith(() => ({ callId: '0123456789abcdef0123456789abcdef', user_data: null }));
    await client.duoCallback(CALL);
    assert.equal(logs.length, 1, 'delivered before await returned');
    const [placed] = logs;
    assert.deepEqual(Object.keys(placed).sort(), KEYS);
    assert.equal(placed.method, 'POST');
    assert.equal(placed.path, 'call/duo_callback');
    assert.equal(placed.status, 200);
    assert.equal(placed.code, '000000');
    assert.equal(placed.errorKind, null);
    assert.equal(placed.attempts, 1);
    assert.ok(typeof placed.durationMs === 'number' && placed.durationMs >= 0 && placed.durationMs < 10000, String(placed.durationMs));

    stub.answerWith(() => ({ pageSize: 50, startIndex: 50, totalCount: 0, totalPageCount: 0, currentPageNo: 2, result: [] }));
    await client.extList({ pageNo: 2, pageSize: 50 }, { timeoutMs: 5000 });
    assert.equal(logs.length, 2);
    assert.equal(logs[1].method, 'GET');
    assert.equal(logs[1].path, 'callcenter/extension?pageNo=2&pageSize=50');

    stub.replyWith({ code: '020000', msg: 'no such call', data: null });
    try {
      const err = await rejectsWith(client.cancelDuoCallback('0123456789abcdef0123456789abcdef'), 'api', YunhuniError);
      assert.equal(logs.length, 3, 'delivered before the rejection');
      assert.equal(logs[2].errorKind, 'api');
      assert.equal(logs[2].code, err.code);
      assert.equal(logs[2].status, 200);
    } finally {
      stub.answerWith(() => ({ callId: '0123456789abcdef0123456789abcdef', user_data: null }));
    }

    // Refused before sending: nothing to hear of.
    await rejectsWith(client.duoCallback({ ...CALL, to2: CALL.to1 }), 'validation', YunhuniError);
    await rejectsWith(client.duoCallback(CALL, { timeoutMs: 0 }), 'validation', YunhuniError);
    assert.equal(logs.length, 3);
    for (const log of logs) assert.ok(!JSON.stringify(log).includes(SECRET));
  });

  test('hears of failures with no answer: status null, the error kind, every attempt', async () => {
    const logs = [];
    const port = await closedPort();
    const client = hooked(`http://127.0.0.1:${port}`, logs, { connectRetries: 2 });
    await rejectsWith(client.duoCallback(CALL), 'transport', YunhuniError);
    assert.equal(logs.length, 1);
    assert.equal(logs[0].status, null);
    assert.equal(logs[0].code, null);
    assert.equal(logs[0].errorKind, 'transport');
    assert.equal(logs[0].attempts, 3);
  });

  test('one hook per client, many calls at once; fromEnv takes it too', async () => {
    const a = [];
    const b = [];
    const first = hooked(stub.url, a);
    const second = hooked(stub.url, b);
    await Promise.all([
      ...Array.from({ length: 20 }, () => first.duoCallback(CALL)),
      ...Array.from({ length: 5 }, () => second.duoCallback(CALL)),
    ]);
    assert.equal(a.length, 20);
    assert.equal(b.length, 5);
    const saved = { ...process.env };
    Object.assign(process.env, { YUNHUNI_APP_ID: 'a', YUNHUNI_CERT_ID: 'c', YUNHUNI_SECRET_KEY: SECRET, YUNHUNI_BASE_URL: stub.url });
    try {
      const c = [];
      await Client.fromEnv({ onRequest: (log) => c.push(log) }).duoCallback(CALL);
      assert.equal(c.length, 1);
    } finally {
      for (const key of ['YUNHUNI_APP_ID', 'YUNHUNI_CERT_ID', 'YUNHUNI_SECRET_KEY', 'YUNHUNI_BASE_URL']) {
        if (key in saved) process.env[key] = saved[key]; else delete process.env[key];
      }
    }
  });

  test('options with a hook are read as without one: inherited settings, misspelt keys', async () => {
    const logs = [];
    class Settings {
      get appId() { return 'app'; }
      get certId() { return 'cert'; }
      get secretKey() { return SECRET; }
    }
    const options = Object.assign(new Settings(), { baseUrl: stub.url, onRequest: (log) => logs.push(log) });
    await new Client(options).duoCallback(CALL);
    assert.equal(logs.length, 1);
    assert.throws(
      () => new Client({ appId: 'a', certId: 'c', secretKey: 's', onRequest: () => {}, time_out_ms: 5 }),
      (e) => e instanceof YunhuniError && e.kind === 'validation' && e.field === 'time_out_ms',
    );
  });

  test('a hook that is not a function is a validation error naming onRequest', () => {
    for (const value of ['log', 42, {}, true]) {
      assert.throws(
        () => new Client({ appId: 'a', certId: 'c', secretKey: 's', onRequest: value }),
        (e) => e instanceof YunhuniError && e.kind === 'validation' && e.field === 'onRequest',
        String(value),
      );
    }
    assert.ok(new Client({ appId: 'a', certId: 'c', secretKey: 's', onRequest: undefined }));
  });
});

/** Runs `script` in a child Node with `env` added; returns its status, stdout and stderr. */
function child(script, env) {
  const cleanEnv = { ...process.env };
  delete cleanEnv.YUNHUNI_LOG;
  const result = spawnSync(process.execPath, ['-e', script], {
    env: { ...cleanEnv, ...env, YUNHUNI_TEST_PACKAGE: PACKAGE },
    encoding: 'utf8',
    timeout: 60000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A child script: a stub answering `code` (and `000000` for the second request), a client
 * (with a hook when `hook`), a callback placed, an event parsed.
 */
function script({ hook = false, code = '000000', hookThrows = false } = {}) {
  return `
    const http = require('node:http');
    const { Client, parseEvent } = require(process.env.YUNHUNI_TEST_PACKAGE);
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ code: ${JSON.stringify(code)}, msg: 'm', data: { callId: 'c1' } })));
    });
    server.listen(0, '127.0.0.1', async () => {
      const heard = [];
      process.on('uncaughtException', (err) => { console.log('uncaught: ' + err.message); });
      const client = new Client({
        appId: 'app', certId: 'cert', secretKey: ${JSON.stringify(SECRET)},
        baseUrl: 'http://127.0.0.1:' + server.address().port,
        ${hook ? `onRequest: (log) => { heard.push(log.path); ${hookThrows ? "throw new Error('hook failed');" : ''} },` : ''}
      });
      let settled = 'resolved';
      await client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60 }).catch((e) => { settled = e.kind; });
      parseEvent('{"event":"duo_callback.end","id":"call-1"}');
      await new Promise((r) => setImmediate(r));
      console.log('settled: ' + settled + '; heard: ' + heard.join(','));
      server.close();
    });`;
}

test.describe('YUNHUNI_LOG', () => {
  test('off by default: nothing on stderr', () => {
    const run = child(script(), {});
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /settled: resolved/);
  });

  test('debug: each request and each parsed event, one line each, never the secret', () => {
    for (const level of ['debug', 'TRACE']) {
      const run = child(script(), { YUNHUNI_LOG: level });
      assert.equal(run.status, 0, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 2, run.stderr);
      assert.match(lines[0], /^\[yunhuni debug\] POST call\/duo_callback -> 200 000000 in \d+\.\d ms$/);
      assert.equal(lines[1], '[yunhuni debug] event duo_callback.end id=call-1');
      assert.ok(!run.stderr.includes(SECRET));
      assert.ok(!/signature/i.test(run.stderr), run.stderr);
    }
  });

  test('levels above debug print nothing; a value that is not a level is warned about', () => {
    for (const level of ['info', 'off', '']) {
      const run = child(script(), { YUNHUNI_LOG: level });
      assert.equal(run.stderr, '', level);
    }
    const bad = child(script(), { YUNHUNI_LOG: 'loud\u001b[2J' });
    assert.equal(bad.status, 0, bad.stderr);
    assert.match(bad.stderr, /YUNHUNI_LOG=loud\\u\{1b\}\[2J is not one of off, error, warn, info, debug, trace; ignored/);
    assert.ok(!bad.stderr.includes('\u001b'), bad.stderr);
  });

  test('server text in a line is escaped', () => {
    const run = child(script({ code: '\u001b]0;pwned\u0007' }), { YUNHUNI_LOG: 'debug' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /settled: api/);
    assert.ok(!run.stderr.includes('\u001b') && !run.stderr.includes('\u0007'), JSON.stringify(run.stderr));
    assert.match(run.stderr, /\\u\{1b\}\]0;pwned\\u\{7\}/);
  });

  test("a client with a hook: its requests go to the hook, not to stderr; events still logged", () => {
    const run = child(script({ hook: true }), { YUNHUNI_LOG: 'debug' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /settled: resolved; heard: call\/duo_callback/);
    assert.equal(run.stderr.trim(), '[yunhuni debug] event duo_callback.end id=call-1');
  });

  test('a hook that throws: an uncaught exception, and the call settles as usual', () => {
    const run = child(script({ hook: true, hookThrows: true }), {});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /uncaught: hook failed/);
    assert.match(run.stdout, /settled: resolved; heard: call\/duo_callback/);
  });
});
