'use strict';
// webhook.Receiver (core's receiver through the addon), its stores (MemoryStore in core,
// RedisStore on ioredis against a real redis-server), and the helpers in detail: what each
// answers, when the handler runs, what a failure releases, Express with and without a body
// parser before it, Fastify's encapsulation, and bad input of every kind.

const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const Redis = require('ioredis');
const express = require('express');
const Fastify = require('fastify');
const { webhook, YunhuniError, ivr } = require('..');
const { startRedis, rawRequest, statusOf, freePort } = require('./webhook_helpers.js');

const { Receiver, MemoryStore, RedisStore } = webhook;

let serial = 0;
/** A `duo_callback.end` body as the platform sends it, with an id of its own. */
function endBody(extra = '') {
  serial += 1;
  const id = `8a2bc6725b1d2e3f015b1d2f4${String(serial).padStart(7, '0')}`;
  return { id, body: Buffer.from(`{"end_time":1490930460000,"action":"event_notify","id":"${id}"${extra},"event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}`, 'latin1') };
}

function throwsKind(fn, kind, field) {
  let caught;
  try { fn(); } catch (err) { caught = err; }
  assert.ok(caught instanceof YunhuniError, `expected a YunhuniError, got ${caught}`);
  assert.equal(caught.kind, kind, caught.message);
  if (field !== undefined) assert.equal(caught.field, field, caught.message);
  return caught;
}

async function rejectsKind(promise, kind, status) {
  let caught;
  try { await promise; } catch (err) { caught = err; }
  assert.ok(caught instanceof YunhuniError, `expected a YunhuniError, got ${caught}`);
  assert.equal(caught.kind, kind, caught.message);
  if (status !== undefined) assert.equal(caught.status, status, caught.message);
  return caught;
}

describe('webhook.Receiver', () => {
  test('options are checked, naming the option', () => {
    throwsKind(() => new Receiver({ tokn: 'x' }), 'validation', 'tokn');
    throwsKind(() => new Receiver({ capacity: 5 }), 'validation', 'capacity');
    throwsKind(() => new Receiver({ token: '' }), 'validation', 'token');
    throwsKind(() => new Receiver({ token: 'x'.repeat(257) }), 'validation', 'token');
    throwsKind(() => new Receiver({ token: 42 }), 'validation', 'token');
    throwsKind(() => new Receiver({ tokenParam: 'a b' }), 'validation', 'tokenParam');
    throwsKind(() => new Receiver({ maxBody: 0 }), 'validation', 'maxBody');
    throwsKind(() => new Receiver({ maxBody: 2 * 1024 * 1024 }), 'validation', 'maxBody');
    throwsKind(() => new Receiver({ maxBody: 1.5 }), 'validation', 'maxBody');
    throwsKind(() => new Receiver({ maxBody: -1 }), 'validation', 'maxBody');
    throwsKind(() => new Receiver({ store: 'redis' }), 'validation', 'store');
    throwsKind(() => new Receiver({ store: { claim() {} } }), 'validation', 'store');
    throwsKind(() => new Receiver('token'), 'validation', 'options');
    throwsKind(() => new Receiver([]), 'validation', 'options');
    new Receiver(null);
    new Receiver({ token: undefined, maxBody: undefined });
    throwsKind(() => new MemoryStore({ capacity: 0 }), 'validation', 'capacity');
    throwsKind(() => new MemoryStore({ ttlMs: 0 }), 'validation', 'ttlMs');
    throwsKind(() => new MemoryStore({ ttlMs: 31 * 24 * 3600 * 1000 }), 'validation', 'ttlMs');
    throwsKind(() => new MemoryStore({ size: 1 }), 'validation', 'size');
    throwsKind(() => new RedisStore(), 'validation', 'redis');
    throwsKind(() => new RedisStore({ set() {} }), 'validation', 'redis');
    throwsKind(() => new RedisStore({ set() {}, del() {} }, { ttlMs: 0 }), 'validation', 'ttlMs');
    throwsKind(() => new RedisStore({ set() {}, del() {} }, { ttlMs: '1h' }), 'validation', 'ttlMs');
    throwsKind(() => new RedisStore({ set() {}, del() {} }, { prefix: 1 }), 'validation', 'prefix');
    const secret = 'a-secret-token-value';
    const err = throwsKind(() => new Receiver({ token: secret, maxBody: 0 }), 'validation', 'maxBody');
    assert.ok(!err.message.includes(secret));
    assert.equal(new Receiver().maxBody, webhook.constants.defaultMaxBody);
    assert.equal(new Receiver().hasToken, false);
    assert.equal(new Receiver({ token: 't', maxBody: 1000 }).maxBody, 1000);
    assert.equal(webhook.constants.redisKeyPrefix, 'yunhuni:webhook:');
    assert.equal(webhook.constants.defaultTtlMs, 3600 * 1000);
  });

  test('checkHead: the token and the declared length, with the status to answer', () => {
    const r = new Receiver({ token: 's3cret /&', maxBody: 1000 });
    assert.equal(r.hasToken, true);
    const none = throwsKind(() => r.checkHead('', 10), 'auth', 'token');
    assert.equal(none.status, 401);
    assert.equal(throwsKind(() => r.checkHead(null, null), 'auth', 'token').status, 401);
    assert.equal(throwsKind(() => r.checkHead('token=s3cret', 10), 'auth', 'token').status, 403);
    assert.ok(!throwsKind(() => r.checkHead('token=s3cret', 10), 'auth').message.includes('s3cret'));
    r.checkHead('a=1&token=s3cret+%2F%26', 10);
    r.checkHead('?token=s3cret%20%2F%26', null);
    const big = throwsKind(() => r.checkHead('token=s3cret%20%2F%26', 100_000_000), 'decode', 'body');
    assert.equal(big.status, 413);
    throwsKind(() => r.checkHead('token=s3cret%20%2F%26', -1), 'validation', 'contentLength');
    throwsKind(() => r.checkHead('token=s3cret%20%2F%26', 1.5), 'validation', 'contentLength');
    throwsKind(() => r.checkHead(7, 1), 'validation', 'query');
    throwsKind(() => r.checkHead('token=\ud800', 1), 'validation', 'query');
    new Receiver({ tokenParam: 'k' }).checkHead('', 1000);
  });

  test('receive: typed event, key, duplicates, release', async () => {
    const r = new Receiver();
    const { id, body } = endBody(',"user_data":"caf\xe9"');
    const d = await r.receive('', body);
    assert.equal(d.event.type, 'duo_callback.end');
    assert.equal(d.event.id, id);
    assert.equal(d.event.userData, 'café', 'a Latin-1 byte as the platform sends it');
    assert.equal(d.event.hangupBy, 1);
    assert.equal(d.event.outcome, 'party2_not_reached', "core's derived values");
    assert.match(d.key, new RegExp(`^duo_callback\\.end:${id}:[0-9a-f]{16}$`));
    assert.deepEqual([d.duplicate, d.status, d.body], [false, 200, 'ok']);
    const again = await r.receive('', body);
    assert.deepEqual([again.duplicate, again.key], [true, d.key]);
    await r.release(d.key);
    assert.equal((await r.receive('', body)).duplicate, false, 'released: the re-send is new');
    // The same bytes as a string.
    assert.equal((await r.receive(null, body.toString('latin1'))).duplicate, true);
    // Two events of one call differ in their bodies, so in their keys.
    const play1 = await r.receive('', `{"event":"ivr.play_end","id":"${id}","content":"a.wav"}`);
    const play2 = await r.receive('', `{"event":"ivr.play_end","id":"${id}","content":"b.wav"}`);
    assert.notEqual(play1.key, play2.key);
    assert.equal(play2.duplicate, false);
    // ivr_start is answered with a document: never remembered.
    const start = '{"action":"ivr_start","call_id":"c1","type":"ivr_call","from":"13800000001"}';
    assert.equal((await r.receive('', start)).event.type, 'ivr_start');
    assert.equal((await r.receive('', start)).duplicate, false);
    await rejectsKind(r.release(42), 'validation');
  });

  test('receive refuses what is not a delivery, with the status to answer', async () => {
    const r = new Receiver({ token: 'k', maxBody: 100 });
    // The token is checked before anything is parsed: junk with a wrong token is a 403.
    await rejectsKind(r.receive('token=x', 'not json'), 'auth', 403);
    await rejectsKind(r.receive('', Buffer.from([0xff, 0xfe])), 'auth', 401);
    const tooBig = await rejectsKind(r.receive('token=k', Buffer.alloc(101, 0x20)), 'decode', 413);
    assert.equal(tooBig.field, 'body');
    await rejectsKind(r.receive('token=k', 'not json'), 'decode', 400);
    await rejectsKind(r.receive('token=k', ''), 'decode', 400);
    await rejectsKind(r.receive('token=k', '[1,2]'), 'decode', 400);
    await rejectsKind(r.receive('token=k', Buffer.from([0x7b, 0xff, 0x7d])), 'decode', 400);
    const beyond = await rejectsKind(r.receive('token=k', '{"event":"duo_callback.end","id":"x","duration":9007199254740993}'), 'decode', 400);
    assert.equal(beyond.field, 'duration');
    await rejectsKind(r.receive('token=k', 42), 'validation');
    await rejectsKind(r.receive('token=k', { event: 'x' }), 'validation');
    await rejectsKind(r.receive('token=k', '\ud800'), 'validation');
  });

  test('random bytes: an answer or a 400, never a crash nor another error', async () => {
    const r = new Receiver({ maxBody: 4096 });
    let seed = 0x5eed;
    const rand = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    const pieces = ['{', '}', '"event":', '"id":', '"duo_callback.end"', '"ivr_start"', '"action":"ivr_start"', ',', '1e999', '-0', '"\\u0000"', '[', ']', 'null', '9007199254740993', '\xff', '"\\ud800"'];
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const body = i % 2 === 0
        ? Buffer.from(Array.from({ length: rand(64) }, () => rand(256)))
        : Buffer.from(Array.from({ length: rand(12) }, () => pieces[rand(pieces.length)]).join(''), 'latin1');
      try {
        const d = await r.receive('', body);
        assert.equal(d.status, 200);
        assert.equal(typeof d.key, 'string');
      } catch (err) {
        assert.ok(err instanceof YunhuniError, String(err));
        assert.equal(err.status, 400, `${err.kind}: ${err.message}`);
        refused += 1;
      }
    }
    assert.ok(refused > 0);
  });

  test('the in-process store is bounded: the oldest key is forgotten first', async () => {
    const r = new Receiver({ store: new MemoryStore({ capacity: 2 }) });
    const [a, b, c] = [endBody().body, endBody().body, endBody().body];
    for (const body of [a, b]) assert.equal((await r.receive('', body)).duplicate, false);
    assert.equal((await r.receive('', a)).duplicate, true);
    await r.receive('', c);
    assert.equal((await r.receive('', a)).duplicate, false, 'a was the oldest: forgotten when c came');
    assert.equal((await r.receive('', c)).duplicate, true);
    const store = new MemoryStore();
    assert.deepEqual([store.capacity, store.ttlMs], [webhook.constants.defaultCapacity, webhook.constants.defaultTtlMs]);
    // No store: nothing is remembered.
    const none = new Receiver({ store: null });
    assert.equal((await none.receive('', a)).duplicate, false);
    assert.equal((await none.receive('', a)).duplicate, false);
    await none.release('anything');
  });

  test('a store of your own: its answers are used, its failures are 503', async () => {
    const claimed = new Set();
    const calls = [];
    const store = {
      claim: (key) => { calls.push(['claim', key]); if (claimed.has(key)) return false; claimed.add(key); return true; },
      release: async (key) => { calls.push(['release', key]); claimed.delete(key); },
    };
    const r = new Receiver({ store });
    const { body } = endBody();
    const d = await r.receive('', body);
    assert.equal(d.duplicate, false);
    assert.equal((await r.receive('', body)).duplicate, true);
    await r.release(d.key);
    assert.deepEqual(calls.map(([what]) => what), ['claim', 'claim', 'release']);
    assert.equal((await r.receive('', '{"action":"ivr_start","call_id":"c2","type":"ivr_call"}')).duplicate, false);
    assert.equal(calls.length, 3, 'ivr_start is not claimed');
    const broken = new Receiver({ store: { claim: async () => { throw new Error('connection refused'); }, release: () => { throw new Error('gone'); } } });
    const failed = await rejectsKind(broken.receive('', body), 'transport', 503);
    assert.match(failed.message, /dedup store failed: connection refused/);
    await rejectsKind(broken.release(d.key), 'transport', 503);
    const sloppy = new Receiver({ store: { claim: async () => undefined, release: () => {} } });
    assert.match((await rejectsKind(sloppy.receive('', body), 'transport', 503)).message, /claim\(\) resolved to undefined, not true or false/);
  });
});

describe('RedisStore on a real redis-server', () => {
  let redis;
  before(async () => { redis = await startRedis(); });
  after(async () => { await redis?.stop(); });

  test('claims with SET NX PX under core\'s prefix, releases with DEL, shared by two receivers', async () => {
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    try {
      const [a, b] = clients.map((c) => new Receiver({ store: new RedisStore(c, { ttlMs: 60_000 }) }));
      const { body } = endBody();
      const first = await a.receive('', body);
      assert.equal(first.duplicate, false);
      const stored = `yunhuni:webhook:${first.key}`;
      assert.equal(await redis.client.get(stored), '1');
      const ttl = await redis.client.pttl(stored);
      assert.ok(ttl > 0 && ttl <= 60_000, `PTTL ${ttl}`);
      assert.equal((await b.receive('', body)).duplicate, true, 'the other process sees it');
      await b.release(first.key);
      assert.equal(await redis.client.exists(stored), 0);
      assert.equal((await a.receive('', body)).duplicate, false);
      // Of many receivers getting the same delivery at once, exactly one claims it.
      const { body: raced } = endBody();
      const results = await Promise.all([a, b, a, b, a, b].map((r) => r.receive('', raced)));
      assert.equal(results.filter((d) => !d.duplicate).length, 1);
      // Prefix and TTL of one's own; the default TTL is core's.
      const own = new RedisStore(clients[0], { prefix: 'app1:' });
      assert.equal(own.ttlMs, webhook.constants.defaultTtlMs);
      const c = new Receiver({ store: own });
      const d = await c.receive('', body);
      assert.equal(await redis.client.get(`app1:${d.key}`), '1');
      assert.ok(await redis.client.pttl(`app1:${d.key}`) > 60_000);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  test('an unreachable Redis is a 503, never a duplicate nor a crash', async () => {
    const port = await freePort();
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      const r = new Receiver({ store: new RedisStore(client) });
      await rejectsKind(r.receive('', endBody().body), 'transport', 503);
    } finally {
      client.disconnect();
    }
  });
});

/** Starts `listener` (a node:http request listener or an http.Server factory) on a free port. */
async function serve(listener) {
  const server = typeof listener === 'function' ? http.createServer(listener) : listener;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

describe('webhook.httpHandler', () => {
  test('answers 200 after the handler, 500 and releases when it throws, and the re-send is handled', async () => {
    const seen = [];
    let fail = true;
    const errors = [];
    const r = new Receiver({ token: 'k' });
    const s = await serve(webhook.httpHandler(r, async (ev, delivery, req) => {
      seen.push([ev.id, delivery.key, req.method]);
      if (fail) { fail = false; throw new Error('database down'); }
    }, { onError: (err, delivery) => errors.push([err.message, delivery.key]) }));
    try {
      const { id, body } = endBody();
      const post = () => fetch(`${s.url}/hook?token=k`, { method: 'POST', body });
      const failed = await post();
      assert.equal(failed.status, 500);
      assert.equal(seen.length, 1);
      assert.deepEqual(errors, [['database down', seen[0][1]]]);
      const resent = await post();
      assert.equal(resent.status, 200);
      assert.equal(await resent.text(), 'ok');
      assert.equal(seen.length, 2, 'the re-send after a failure is handled');
      const dup = await post();
      assert.equal(dup.status, 200);
      assert.equal(seen.length, 2, 'a duplicate is answered 200 without the handler');
      assert.deepEqual(seen.map(([i]) => i), [id, id]);
      const get = await fetch(`${s.url}/hook?token=k`);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'POST');
    } finally {
      await s.close();
    }
  });

  test('answerFirst answers 200 before the handler runs; its failure is reported', async () => {
    let release;
    const ran = new Promise((resolve) => { release = resolve; });
    const errors = [];
    const s = await serve(webhook.httpHandler(new Receiver(), async () => {
      await ran;
      throw new Error('late failure');
    }, { answerFirst: true, onError: (err) => errors.push(err.message) }));
    try {
      const res = await fetch(s.url, { method: 'POST', body: endBody().body });
      assert.equal(res.status, 200, 'answered while the handler still waits');
      release();
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setImmediate(r));
      assert.deepEqual(errors, ['late failure']);
    } finally {
      await s.close();
    }
  });

  test('ivr_start: the handler\'s document is the answer', async () => {
    const s = await serve(webhook.httpHandler(new Receiver(), (ev) => {
      if (ev.type === 'ivr_start') return new ivr.Response().play('welcome.wav').endCall();
      return undefined;
    }));
    try {
      const res = await fetch(s.url, { method: 'POST', body: '{"action":"ivr_start","call_id":"c3","type":"ivr_call","from":"13800000001"}' });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /xml/);
      assert.match(await res.text(), /welcome\.wav/);
    } finally {
      await s.close();
    }
  });

  test('refusals: the handler never runs; a body cut short leaves the server serving', async () => {
    let calls = 0;
    const s = await serve(webhook.httpHandler(new Receiver({ token: 'k', maxBody: 1000 }), () => { calls += 1; }));
    const host = `Host: ${new URL(s.url).host}`;
    try {
      const tooBig = await fetch(`${s.url}/?token=k`, { method: 'POST', body: Buffer.alloc(1001, 0x20) });
      assert.equal(tooBig.status, 413);
      assert.equal((await fetch(`${s.url}/?token=k`, { method: 'POST', body: Buffer.from([0xc3, 0x28]) })).status, 400);
      assert.equal((await fetch(`${s.url}/?token=k`, { method: 'POST' })).status, 400);
      // The client goes away in the middle of its body.
      // (Node's parser answers a body cut short with its own 400, or nothing.)
      const cut = await rawRequest(s.url, `POST /?token=k HTTP/1.1\r\n${host}\r\nContent-Length: 500`, function* () { yield Buffer.from('{"event":'); });
      assert.ok(cut.response === '' || statusOf(cut.response) === 400, cut.response);
      // A declared length over the limit: refused before a byte of body is sent.
      const declared = await rawRequest(s.url, `POST /?token=k HTTP/1.1\r\n${host}\r\nContent-Length: 1001`);
      assert.equal(statusOf(declared.response), 413);
      assert.equal(calls, 0);
      assert.equal((await fetch(`${s.url}/?token=k`, { method: 'POST', body: endBody().body })).status, 200);
      assert.equal(calls, 1);
    } finally {
      await s.close();
    }
  });

  test('a store that fails: 503 without its details, reported', async () => {
    const reported = [];
    const broken = { claim: async () => { throw new Error('connect ECONNREFUSED 10.1.2.3:6379'); }, release: async () => {} };
    const s = await serve(webhook.httpHandler(new Receiver({ store: broken }), () => {}, { onError: (err, d) => reported.push([err.kind, err.status, d]) }));
    try {
      const res = await fetch(s.url, { method: 'POST', body: endBody().body });
      assert.equal(res.status, 503);
      assert.doesNotMatch(await res.text(), /10\.1\.2\.3|ECONNREFUSED/);
      assert.deepEqual(reported, [['transport', 503, null]]);
    } finally {
      await s.close();
    }
  });

  test('the helpers check their arguments', () => {
    const r = new Receiver();
    throwsKind(() => webhook.httpHandler({}, () => {}), 'validation', 'receiver');
    throwsKind(() => webhook.httpHandler(r, 'handler'), 'validation', 'onEvent');
    throwsKind(() => webhook.httpHandler(r, () => {}, { answerfirst: true }), 'validation', 'answerfirst');
    throwsKind(() => webhook.expressMiddleware(r, () => {}, { onError: 1 }), 'validation', 'onError');
    throwsKind(() => webhook.expressMiddleware(r), 'validation', 'onEvent');
  });
});

describe('webhook.expressMiddleware', () => {
  async function app(setup) {
    const a = express();
    setup(a);
    // Express's own error handler would print the stack: answer the error's message.
    a.use((err, req, res, next) => { res.status(500).type('text').send(err.message); });
    return serve(http.createServer(a));
  }

  test('with no body parser, express.raw() before it, and after express.json() mounted elsewhere', async () => {
    const got = [];
    const onEvent = (ev) => { got.push(ev.id); };
    const s = await app((a) => {
      a.post('/plain', webhook.expressMiddleware(new Receiver({ token: 'k' }), onEvent));
      a.post('/raw', express.raw({ type: '*/*' }), webhook.expressMiddleware(new Receiver({ token: 'k' }), onEvent));
      a.use(express.json());
      a.post('/json', (req, res) => res.json(req.body));
    });
    try {
      for (const route of ['plain', 'raw']) {
        const { id, body } = endBody();
        const res = await fetch(`${s.url}/${route}?token=k`, { method: 'POST', headers: { 'content-type': 'application/json;charset=utf-8' }, body });
        assert.equal(res.status, 200, route);
        assert.equal(got.at(-1), id);
        assert.equal((await fetch(`${s.url}/${route}?token=bad`, { method: 'POST', body })).status, 403);
      }
      // The rest of the app parses JSON as usual.
      const json = await fetch(`${s.url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      assert.deepEqual(await json.json(), { a: 1 });
    } finally {
      await s.close();
    }
  });

  test('after express.json() (with or without a verify hook keeping rawBody), express.text(), and a parser that left nothing', async () => {
    const got = [];
    const onEvent = (ev) => { got.push(ev.userData); };
    const s = await app((a) => {
      a.post('/json', express.json({ type: '*/*' }), webhook.expressMiddleware(new Receiver(), onEvent));
      a.post('/verify', express.json({ type: '*/*', verify: (req, res, buf) => { req.rawBody = buf; } }), webhook.expressMiddleware(new Receiver(), onEvent));
      a.post('/text', express.text({ type: '*/*' }), webhook.expressMiddleware(new Receiver(), onEvent));
      a.post('/nothing', (req, res, next) => { req.on('end', next).resume(); }, webhook.expressMiddleware(new Receiver(), onEvent));
    });
    try {
      const post = (route, body) => fetch(`${s.url}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json;charset=utf-8' }, body });
      for (const route of ['json', 'verify', 'text']) {
        const { body } = endBody(',"user_data":"caf\xe9-42"');
        assert.equal((await post(route, body)).status, 200, route);
        // The platform's re-send: the same bytes, parsed the same way, so a duplicate.
        assert.equal((await post(route, body)).status, 200, route);
      }
      // Exact bytes with the verify hook; decoded as UTF-8 by the parser otherwise.
      assert.deepEqual(got, ['caf\ufffd-42', 'café-42', 'caf\ufffd-42']);
      const nothing = await post('nothing', endBody().body);
      assert.equal(nothing.status, 500);
      assert.match(await nothing.text(), /mount the middleware before the body parsers/);
      assert.equal(got.length, 3);
    } finally {
      await s.close();
    }
  });
});

describe('webhook.fastifyPlugin', () => {
  test('its route reads the raw body; the rest of the app keeps Fastify\'s JSON parser', async () => {
    const got = [];
    const a = Fastify();
    a.register(webhook.fastifyPlugin, { receiver: new Receiver({ token: 'k' }), onEvent: (ev, d, req) => { got.push([ev.userData, typeof req.headers]); }, path: '/hook' });
    a.post('/json', async (request) => request.body);
    await a.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${a.server.address().port}`;
    try {
      const { body } = endBody(',"user_data":"\xe9t\xe9"');
      for (const type of ['application/json;charset=utf-8', 'text/plain', undefined]) {
        const headers = type ? { 'content-type': type } : {};
        const res = await fetch(`${url}/hook?token=k`, { method: 'POST', headers, body });
        assert.equal(res.status, 200, String(type));
      }
      assert.deepEqual(got, [['été', 'object']], 'handled once, the Latin-1 bytes decoded; the others were duplicates');
      assert.equal((await fetch(`${url}/hook`, { method: 'POST', body })).status, 401);
      assert.equal((await fetch(`${url}/hook?token=k`, { method: 'POST', body: '{' })).status, 400);
      const json = await fetch(`${url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":[1]}' });
      assert.deepEqual(await json.json(), { a: [1] });
    } finally {
      await a.close();
    }
  });

  test('its options are checked', async () => {
    const a = Fastify();
    a.register(webhook.fastifyPlugin, { onEvent: () => {} });
    await assert.rejects(a.ready(), (err) => err instanceof YunhuniError && err.field === 'receiver');
  });
});

test("the README's webhook example type-checks with tsc --strict", () => {
  const fs = require('node:fs');
  const path = require('node:path');
  const { spawnSync } = require('node:child_process');
  const pkg = path.resolve(__dirname, '..');
  const readme = fs.readFileSync(path.join(pkg, 'README.md'), 'utf8');
  const example = readme.slice(readme.indexOf('## Receiving webhooks')).match(/```ts\n([\s\S]*?)```/)[1];
  assert.match(example, /webhook\.httpHandler\(receiver/);
  assert.match(example, /new webhook\.RedisStore\(new Redis\(/);
  const dir = fs.mkdtempSync(path.join(__dirname, 'tsc-'));
  try {
    // A module of its own (the snippet has imports), compiled from inside the package.
    fs.writeFileSync(path.join(dir, 'snippet.ts'), example);
    const tsc = path.join(pkg, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [tsc, '--strict', '--noEmit', '--target', 'ES2022', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', '--esModuleInterop', path.join(dir, 'snippet.ts')];
    const r = spawnSync(process.execPath, args, { cwd: pkg, encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
