'use strict';
// Hostile input and hostile servers: timeouts that cannot be honoured, whether a failed request
// may have reached the server (`maybeSent`), numbers JavaScript cannot hold exactly in events,
// lone surrogates in strings, a server that closes every connection after its answer, a
// call's own timeout and the proxy setting.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { Client, YunhuniError, parseEvent, sign } = require('yunhuni');
const { recordingStub, silentServer, closedPort, rejectsWith } = require('./helpers.js');

const SECRET = 'NEVER-SHOWN-3b9e61f0c2d84a7e';
const CALL = { to1: '13800000001', to2: '13800000002', maxCallDuration: 60 };
const DAY_MS = 24 * 3600 * 1000;
const OK_BODY = '{"code":"000000","msg":"ok","data":{"callId":"0123456789abcdef0123456789abcdef"}}';

/** Options of a client of `url`. */
function options(url, extra = {}) {
  return { appId: 'app', certId: 'cert', secretKey: SECRET, baseUrl: url, ...extra };
}

/** The error `fn()` throws; fails when it does not throw a YunhuniError. */
function thrown(fn) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof YunhuniError, `expected a YunhuniError, got ${err && err.stack}`);
    return err;
  }
  assert.fail('expected a YunhuniError to be thrown');
}

/**
 * A TCP server that reads whole HTTP requests (head and Content-Length body) and hands each to
 * `onRequest(socket, head, body)`; resolves to `{ url, port, close }`.
 */
async function rawServer(onRequest) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number((/\r\ncontent-length:\s*(\d+)/i.exec(head) || [])[1] || 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
        buffered = buffered.subarray(end + 4 + length);
        onRequest(socket, head, body);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

/** An HTTP/1.1 200 answer with `body`, with no `Connection` header (so: keep-alive). */
function answer(body) {
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

test.describe('timeouts that cannot be honoured are validation errors naming the option', () => {
  const BAD = [1e19, Infinity, -Infinity, NaN, -1, -0.5, 1.5, 2 ** 53, Number.MAX_VALUE, DAY_MS + 1, 0, '1000', true];

  test('client timeoutMs and connectTimeoutMs', () => {
    for (const option of ['timeoutMs', 'connectTimeoutMs']) {
      for (const value of BAD) {
        const err = thrown(() => new Client(options('http://127.0.0.1:1', { [option]: value })));
        assert.equal(err.kind, 'validation', `${option}: ${value}: ${err.message}`);
        assert.equal(err.field, option, `${option}: ${value}`);
        assert.ok(err.message.startsWith(`${option}: `), err.message);
      }
      // The largest accepted: 24 hours.
      assert.ok(new Client(options('http://127.0.0.1:1', { [option]: DAY_MS })));
    }
    const fromEnv = thrown(() => {
      const saved = { ...process.env };
      Object.assign(process.env, { YUNHUNI_APP_ID: 'a', YUNHUNI_CERT_ID: 'c', YUNHUNI_SECRET_KEY: SECRET });
      try {
        Client.fromEnv({ timeoutMs: 1e19 });
      } finally {
        for (const key of ['YUNHUNI_APP_ID', 'YUNHUNI_CERT_ID', 'YUNHUNI_SECRET_KEY']) {
          if (key in saved) process.env[key] = saved[key]; else delete process.env[key];
        }
      }
    });
    assert.equal(fromEnv.field, 'timeoutMs');
  });

  test("a call's own timeoutMs: refused before anything is sent", async () => {
    const stub = await recordingStub();
    try {
      const client = new Client(options(stub.url));
      for (const value of BAD) {
        for (const call of [
          () => client.duoCallback(CALL, { timeoutMs: value }),
          () => client.request('ext_list', {}, { timeoutMs: value }),
          () => client.cancelDuoCallback('0123456789abcdef0123456789abcdef', { timeoutMs: value }),
        ]) {
          const err = await rejectsWith(call(), 'validation', YunhuniError);
          assert.equal(err.field, 'timeoutMs', `${value}: ${err.message}`);
        }
      }
      assert.equal(stub.received.length, 0, 'nothing was sent');
      await client.duoCallback(CALL, { timeoutMs: DAY_MS });
      await client.extList(undefined, { timeoutMs: 5000 });
      await client.extList({}, undefined);
      assert.equal(stub.received.length, 3);
    } finally {
      await stub.close();
    }
  });

  test('call options: only timeoutMs, in an object', async () => {
    const stub = await recordingStub();
    try {
      const client = new Client(options(stub.url));
      const misspelt = await rejectsWith(client.extList({}, { timeout: 5 }), 'validation', YunhuniError);
      assert.equal(misspelt.field, 'timeout');
      assert.match(misspelt.message, /timeoutMs/);
      const snake = await rejectsWith(client.extList({}, { timeout_ms: 5 }), 'validation', YunhuniError);
      assert.match(snake.message, /did you mean `timeoutMs`/);
      await rejectsWith(client.extList({}, 300), 'validation', YunhuniError);
      await rejectsWith(client.extList({}, [300]), 'validation', YunhuniError);
      assert.equal(stub.received.length, 0);
    } finally {
      await stub.close();
    }
  });
});

test.describe("a call's own timeout", () => {
  test('ends the call at its own limit, not the client\'s', async () => {
    const server = await silentServer();
    try {
      const client = new Client(options(server.url, { timeoutMs: 30000 }));
      const started = Date.now();
      const err = await rejectsWith(client.request('ext_list', undefined, { timeoutMs: 300 }), 'timeout', YunhuniError);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 5000, `${elapsed} ms`);
      assert.match(err.message, /300ms/);
      const typed = Date.now();
      await rejectsWith(client.duoCallback(CALL, { timeoutMs: 200 }), 'timeout', YunhuniError);
      assert.ok(Date.now() - typed < 5000);
    } finally {
      await server.close();
    }
  });
});

test.describe('maybeSent: whether a failed request may have reached the server', () => {
  test('every error object has it, a boolean', async () => {
    assert.equal(new YunhuniError('transport', 'x').maybeSent, false);
    assert.equal(new YunhuniError('transport', 'x', { maybeSent: true }).maybeSent, true);
    const stub = await recordingStub();
    try {
      const client = new Client(options(stub.url));
      const validation = await rejectsWith(client.duoCallback({ ...CALL, to2: CALL.to1 }), 'validation', YunhuniError);
      stub.replyWith({ code: '020000', msg: 'no such call', data: null });
      const api = await rejectsWith(client.duoCallback(CALL), 'api', YunhuniError);
      const decode = thrown(() => parseEvent('{"event": 5}'));
      const options_ = thrown(() => new Client({ appId: 'a' }));
      for (const err of [validation, api, decode, options_]) {
        assert.ok(Object.hasOwn(err, 'maybeSent'), err.kind);
        assert.equal(err.maybeSent, false, err.kind);
      }
    } finally {
      await stub.close();
    }
  });

  test('false when nothing could be sent: a closed port', async () => {
    const port = await closedPort();
    const client = new Client(options(`http://127.0.0.1:${port}`, { connectRetries: 1 }));
    const err = await rejectsWith(client.duoCallback(CALL), 'transport', YunhuniError);
    assert.equal(err.maybeSent, false, err.message);
    assert.doesNotMatch(err.message, /may have reached the server/);
  });

  test('true when the request was written: a reset mid-answer, a silent server', async () => {
    let received = 0;
    const reset = await rawServer((socket) => {
      received += 1;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"code":');
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    const silent = await silentServer();
    try {
      const client = new Client(options(reset.url, { connectRetries: 3 }));
      const err = await rejectsWith(client.duoCallback(CALL), 'transport', YunhuniError);
      assert.equal(err.maybeSent, true, err.message);
      assert.match(err.message, /may have reached the server/);
      assert.equal(received, 1, 'never sent again');
      const slow = new Client(options(silent.url, { timeoutMs: 300 }));
      const timeout = await rejectsWith(slow.duoCallback(CALL), 'timeout', YunhuniError);
      assert.equal(timeout.maybeSent, true, timeout.message);
    } finally {
      await reset.close();
      await silent.close();
    }
  });
});

test.describe('a server that closes every connection after its answer (no Connection: close)', () => {
  test('never receives a request twice; every failure says it may have been sent', async () => {
    const seen = new Map();
    const server = await rawServer((socket, head, body) => {
      if (socket.answered) return; // what comes after the answer is never read
      socket.answered = true;
      const id = JSON.parse(body).user_data;
      seen.set(id, (seen.get(id) || 0) + 1);
      socket.end(answer(OK_BODY));
    });
    try {
      const client = new Client(options(server.url, { connectRetries: 2 }));
      let ok = 0;
      const failures = [];
      const place = async (id) => {
        try {
          await client.duoCallback({ ...CALL, userData: id });
          ok += 1;
        } catch (err) {
          failures.push(err);
        }
      };
      for (let i = 0; i < 60; i++) await place(`seq-${i}`);
      await Promise.all(Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 10; i++) await place(`par-${w}-${i}`);
      }));
      for (const err of failures) {
        assert.ok(err instanceof YunhuniError, String(err));
        assert.ok(['transport', 'timeout'].includes(err.kind), err.message);
        assert.equal(err.maybeSent, true, err.message);
      }
      for (const [id, count] of seen) assert.equal(count, 1, `${id} received ${count} times`);
      // Every request the server read was answered, and nothing else succeeded.
      assert.equal(seen.size, ok, `${failures.length} failures`);
      assert.ok(ok >= 100, `${ok} of 140 succeeded`);
    } finally {
      await server.close();
    }
  });
});

test.describe('numbers in events: exact, or a decode error naming the key', () => {
  const big = '9007199254740993';

  test('typed fields beyond Number.MAX_SAFE_INTEGER are refused', () => {
    for (const [body, field] of [
      [`{"event":"duo_callback.end","duration":${big}}`, 'duration'],
      [`{"event":"duo_callback.end","hangup_by":-${big}}`, 'hangupBy'],
      [`{"event":"notify_call.end","duration":18446744073709551617}`, 'duration'],
      [`{"event":"verify_call.end","duration":1e300}`, 'duration'],
      // Times are limited by core itself, the same in every language.
      [`{"event":"duo_callback.end","end_time":${big}}`, 'endTime'],
      [`{"event":"notify_call.end","end_tinme":${big}}`, 'endTinme'],
      [`{"event":"conf.end","end_time":${big}}`, 'endTime'],
    ]) {
      const err = thrown(() => parseEvent(body));
      assert.equal(err.kind, 'decode', `${body}: ${err.message}`);
      assert.equal(err.field, field, body);
    }
  });

  test('in the body of other events, refused naming the key path as sent', () => {
    for (const [body, field] of [
      [`{"event":"captcha_call.end","end_time":${big}}`, 'end_time'],
      [`{"event":"captcha_call.end","x":{"parts":[1,2,${big}]}}`, 'x.parts[2]'],
      [`{"event":"x.y","n":-${big}}`, 'n'],
      [`{"event":"x.y","f":1.5e16}`, 'f'],
    ]) {
      const err = thrown(() => parseEvent(body));
      assert.equal(err.kind, 'decode', `${body}: ${err.message}`);
      assert.equal(err.field, field, body);
      assert.match(err.message, /MAX_SAFE_INTEGER/);
    }
    // A key from outside is escaped in the message.
    const err = thrown(() => parseEvent(`{"event":"x.y","a\\u001b[2J":${big}}`));
    assert.equal(err.field, 'a\u001b[2J');
    assert.ok(!err.message.includes('\u001b'), err.message);
  });

  test('every number within the range comes out exactly', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const conf = parseEvent(`{"event":"captcha_call.end","a":${max},"b":-${max},"c":[0.1,-2.5e-7,1e15],"d":{"e":123}}`);
    assert.deepEqual(conf.fields, { event: 'captcha_call.end', a: max, b: -max, c: [0.1, -2.5e-7, 1e15], d: { e: 123 } });
    const end = parseEvent('{"event":"duo_callback.end","end_time":253402300799999,"answer_time2":253402300789999,"duration":' + max + '}');
    assert.equal(end.endTime, 253402300799999);
    assert.equal(end.duration, max);
    assert.equal(end.talkSeconds, max);
  });
});

test.describe('lone surrogates in strings are refused naming the field, before anything is sent', () => {
  test('in fields of any type, at any depth', async () => {
    const stub = await recordingStub();
    try {
      const client = new Client(options(stub.url));
      for (const [call, field] of [
        [() => client.duoCallback({ ...CALL, userData: '\ud800' }), 'userData'],
        [() => client.duoCallback({ ...CALL, userData: 'a\udfffb' }), 'userData'],
        [() => client.duoCallback({ ...CALL, to1: '\ud83d' }), 'to1'],
        [() => client.confStartPlay({ confId: 'c', files: ['a.wav', '\udc00'] }), 'files[1]'],
        [() => client.notifyCall({ to: '13800000001', playContent: [{ content: '\ud800', playType: 0 }] }), 'playContent[0].content'],
        [() => client.notifyCall({ to: '13800000001', playContent: [['\udbff', 0]] }), 'playContent[0][0]'],
        [() => client.agentLogin({ name: 'a', extension: 'e', skills: [{ name: 'x\ud800' }] }), 'skills[0].name'],
        [() => client.request('duo_callback', { ...CALL, userData: '\ud800' }), 'userData'],
        [() => client.cancelDuoCallback('\ud800'), 'callId'],
      ]) {
        const err = await rejectsWith(call(), 'validation', YunhuniError);
        assert.equal(err.field, field, err.message);
        assert.match(err.message, /lone surrogate/);
      }
      assert.equal(stub.received.length, 0, 'nothing was sent');
      // A surrogate pair is a character (sent escaped, as every non-ASCII character), and so is U+FFFD.
      await client.duoCallback({ ...CALL, userData: '\ud83d\ude00\ufffd' });
      assert.equal(stub.received.length, 1);
      const body = stub.received[0].body.toString('latin1');
      assert.match(body, /"user_data":"\\ud83d\\ude00\\ufffd"/);
    } finally {
      await stub.close();
    }
  });

  test('in client options, event bodies and signing input', () => {
    for (const [fn, field] of [
      [() => new Client({ appId: 'a', certId: 'c', secretKey: 's', userAgent: 'x\ud800' }), 'userAgent'],
      [() => new Client({ appId: 'a', certId: 'c', secretKey: 's', proxy: 'http://\udc00' }), 'proxy'],
      [() => parseEvent('{"event":"duo_callback.end","user_data":"\ud800"}'), 'body'],
      [() => sign({ method: 'POST', uri: '/', timestamp: '20240101000000', appId: 'a', secretKey: 's', body: '\ud800' }), 'body'],
    ]) {
      const err = thrown(fn);
      assert.equal(err.kind, 'validation', err.message);
      assert.equal(err.field, field, err.message);
    }
  });
});

test.describe('the proxy option', () => {
  test('sends every request through the proxy given', async () => {
    const seen = [];
    const proxy = await rawServer((socket, head, body) => {
      seen.push(head.split('\r\n')[0]);
      if (head.startsWith('CONNECT ')) {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
      } else {
        socket.end(answer(OK_BODY));
      }
      void body;
    });
    try {
      const client = new Client(options('http://api.example.invalid', { proxy: proxy.url }));
      const created = await client.duoCallback(CALL);
      assert.equal(created.callId, '0123456789abcdef0123456789abcdef');
      assert.equal(seen[0], 'CONNECT api.example.invalid:80 HTTP/1.1');
      assert.match(seen[1], /^POST \/v1\/account\/cert\/call\/duo_callback HTTP\/1.1$/);
    } finally {
      await proxy.close();
    }
  });

  test('false connects directly whatever HTTP_PROXY says; by default the variables are used', async () => {
    const stub = await recordingStub();
    const dead = await closedPort();
    const saved = {};
    const names = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];
    for (const name of names) { saved[name] = process.env[name]; delete process.env[name]; }
    process.env.HTTP_PROXY = `http://127.0.0.1:${dead}`;
    try {
      const viaEnv = new Client(options(stub.url));
      await rejectsWith(viaEnv.duoCallback(CALL), 'transport', YunhuniError);
      const direct = new Client(options(stub.url, { proxy: false }));
      await direct.duoCallback(CALL);
      assert.equal(stub.received.length, 1);
    } finally {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name]; else process.env[name] = saved[name];
      }
      await stub.close();
    }
  });

  test('a value that is not a proxy is a validation error naming proxy, without its password', () => {
    for (const value of [true, 42, {}, 'not a url', 'ftp://user:hunter2secret@host:1']) {
      const err = thrown(() => new Client(options('http://127.0.0.1:1', { proxy: value })));
      assert.equal(err.kind, 'validation', String(value));
      assert.equal(err.field, 'proxy', String(value));
      assert.ok(!err.message.includes('hunter2secret'), err.message);
    }
    assert.ok(new Client(options('http://127.0.0.1:1', { proxy: null })));
    assert.ok(new Client(options('http://127.0.0.1:1', { proxy: 'http://user:pw@127.0.0.1:3128' })));
  });
});
