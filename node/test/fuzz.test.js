'use strict';
// A bounded fuzz run (a fixed seed, a few thousand inputs, a few seconds): random webhook
// bodies through parseEvent, and random operations, fields and values through client.request
// against a recording stub. Nothing may throw anything but a YunhuniError, no number may come
// out different from what was sent, and no request refused before sending may reach the stub.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Client, YunhuniError, parseEvent } = require('yunhuni');
const { loadVectors, recordingStub } = require('./helpers.js');

// The same switches as core's hostile runs (core/tests/hostile.rs, bench/hostile): another
// seed, and the counts multiplied, for a longer run.
const SEED = Number(process.env.YUNHUNI_HOSTILE_SEED || 0x5eed) >>> 0;
const SCALE = Math.max(1, Number(process.env.YUNHUNI_HOSTILE_SCALE || 1));
const EVENTS = 4000 * SCALE;
const REQUESTS = 1500 * SCALE;

/** A small PRNG (mulberry32): the same inputs on every run with the same seed. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  return { next, int, pick, chance: (p) => next() < p };
}

const EVENT_NAMES = [
  'duo_callback.end', 'notify_call.end', 'verify_call.end', 'ivr.call_end', 'conf.end', 'conf.joined',
  'callcenter.conversation.end', 'msg.sending_complete', 'captcha_call.end', 'recording.url_generate', 'x.y', '', 'duo_callback.end\u0000',
];
const KEYS = [
  'event', 'id', 'user_data', 'begin_time', 'end_time', 'end_tinme', 'answer_time', 'answer_time1', 'answer_time2',
  'duration', 'hangup_by', 'dropped_by', 'reason', 'error', 'record_file', 'subaccount_id', 'action', 'fields',
  '', '__proto__', 'constructor', 'a\u001b[2J', 'x'.repeat(300),
];
const INTEGERS = [
  0, -0, 1, -1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 253402300799999, 253402300800000,
  1491444000000, 9223372036854775807n, 9223372036854775808n, 18446744073709551615n, 18446744073709551616n,
  -9223372036854775808n, 9007199254740993n,
];

/** Random text: ASCII, CJK, control characters, escapes JSON must carry. */
function text(r) {
  const parts = ['a', 'Z', '9', ' ', '"', '\\', '/', '\u0000', '\u001b', '\n', '\u2028', '\u202e', '中', '😀', '\ufffd', '?'];
  let out = '';
  for (let i = r.int(r.chance(0.05) ? 300 : 12); i > 0; i--) out += r.pick(parts);
  return out;
}

/** A random JSON text of a value (numbers written out as text, so beyond what a double holds). */
function jsonValue(r, depth) {
  switch (r.int(depth > 3 ? 5 : 7)) {
    case 0: return 'null';
    case 1: return r.chance(0.5) ? 'true' : 'false';
    case 2: return String(r.pick(INTEGERS));
    case 3: return r.pick(['1.5', '-0.0', '1e308', '1e-400', '12345678901234567890.5', '0.1', '-2.5e-7', '1E400', '-1e19']);
    case 4: return JSON.stringify(text(r));
    case 5: return `[${Array.from({ length: r.int(4) }, () => jsonValue(r, depth + 1)).join(',')}]`;
    default: return jsonObject(r, depth + 1);
  }
}

function jsonObject(r, depth) {
  const members = [];
  for (let i = r.int(6); i > 0; i--) members.push(`${JSON.stringify(r.pick(KEYS))}:${jsonValue(r, depth)}`);
  return `{${members.join(',')}}`;
}

/** A random webhook body: an event of random fields, a mutated vector, or random bytes. */
function body(r, vectors) {
  const kind = r.int(10);
  if (kind < 4) {
    const members = [`"event":${JSON.stringify(r.pick(EVENT_NAMES))}`];
    for (let i = r.int(8); i > 0; i--) members.push(`${JSON.stringify(r.pick(KEYS))}:${jsonValue(r, 1)}`);
    return `{${members.join(',')}}`;
  }
  if (kind < 8) {
    const bytes = Buffer.from(r.pick(vectors).body_hex, 'hex');
    for (let i = 1 + r.int(4); i > 0 && bytes.length > 0; i--) {
      const at = r.int(bytes.length);
      switch (r.int(4)) {
        case 0: bytes[at] = r.int(256); break;
        case 1: bytes[at] = r.pick([0x22, 0x7b, 0x7d, 0x5b, 0x2c, 0x3a, 0x5c, 0x30, 0x39, 0x2d]); break;
        case 2: return Buffer.concat([bytes.subarray(0, at), Buffer.from(jsonValue(r, 1)), bytes.subarray(at)]);
        default: return bytes.subarray(0, at);
      }
    }
    return bytes;
  }
  if (kind < 9) return Buffer.from(Array.from({ length: r.int(64) }, () => r.int(256)));
  return r.pick([undefined, null, 42, {}, [], Symbol('s'), new Uint16Array(2), '\ud800', 'x'.repeat(1024 * 1024 + 1)]);
}

/** Every number in a parsed event, with where it is. */
function numbers(value, path, out) {
  if (typeof value === 'number') out.push([path, value]);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) numbers(v, `${path}.${k}`, out);
  }
  return out;
}

test('parseEvent: random bodies give an event or a YunhuniError, numbers never rounded', (t) => {
  const r = prng(SEED);
  const vectors = loadVectors('events.json');
  const outcomes = { parsed: 0, decode: 0, validation: 0 };
  for (let i = 0; i < EVENTS; i++) {
    const input = body(r, vectors);
    const asString = typeof input !== 'string' && Buffer.isBuffer(input) && r.chance(0.3) ? input.toString('utf8') : input;
    let event;
    try {
      event = parseEvent(asString);
    } catch (err) {
      assert.ok(err instanceof YunhuniError, `input ${i}: ${err && err.stack}`);
      assert.ok(err.kind === 'decode' || err.kind === 'validation', `input ${i}: ${err.kind} ${err.message}`);
      assert.equal(err.maybeSent, false);
      assert.ok(err.message.length < 2000, `input ${i}: a message of ${err.message.length} characters`);
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u001b]/.test(err.message), `input ${i}: ${JSON.stringify(err.message)}`);
      outcomes[err.kind] += 1;
      continue;
    }
    outcomes.parsed += 1;
    assert.equal(typeof event.event, 'string', `input ${i}`);
    for (const [where, n] of numbers(event, '', [])) {
      assert.ok(!Number.isInteger(n) || Number.isSafeInteger(n), `input ${i}: ${where} is ${n}, beyond the exact integers`);
    }
  }
  t.diagnostic(`hostile node parseEvent: seed ${SEED}, ${EVENTS} bodies: ${JSON.stringify(outcomes)}`);
  for (const [outcome, count] of Object.entries(outcomes)) assert.ok(count > 50, `${outcome}: ${count} of ${EVENTS}`);
});

/** A random JavaScript value of any type, including what JSON cannot carry. */
function anyValue(r, depth = 0) {
  switch (r.int(depth > 2 ? 9 : 12)) {
    case 0: return text(r);
    case 1: return r.pick(['\ud800', 'a\udfff', '13800000001', '', ' ', 'http://x', '0123456789abcdef0123456789abcdef', 'CallQuota']);
    case 2: { const n = r.pick(INTEGERS); return typeof n === 'bigint' ? n : n * (r.chance(0.5) ? 1 : -1); }
    case 3: return r.pick([0.5, NaN, Infinity, -Infinity, 1e308, 60, 600, 1, 5, 21600, 21601, -0]);
    case 4: return r.chance(0.5);
    case 5: return r.pick([null, undefined]);
    case 6: return r.pick([Symbol('x'), () => 1, 10n, Buffer.from('ab'), new Date(0), new Map(), /re/]);
    case 7: { const cycle = { a: 1 }; cycle.self = cycle; return cycle; }
    case 8: { const holes = [1, , 3]; return r.chance(0.5) ? holes : new Array(3); } // eslint-disable-line no-sparse-arrays
    case 9: return Array.from({ length: r.int(4) }, () => anyValue(r, depth + 1));
    case 10: return Array.from({ length: r.int(3) }, () => ({ content: anyValue(r, depth + 1), playType: r.int(7), name: text(r) }));
    default: {
      const object = {};
      for (let i = r.int(4); i > 0; i--) object[r.pick(['name', 'score', 'enabled', 'opt', 'type', 'value', text(r)])] = anyValue(r, depth + 1);
      return object;
    }
  }
}

test('client.request: random operations, fields and values never crash and never send a refused request', async (t) => {
  const r = prng(SEED ^ 0xa11);
  const cases = loadVectors('requests.json');
  const camel = (name) => name.replace(/_+(.)/g, (_, c) => c.toUpperCase()).replace(/_+$/, '');
  /** Each operation's field names (camelCase) as the vectors use them. */
  const fieldsOf = new Map();
  for (const c of cases) {
    const names = fieldsOf.get(c.operation) || new Set();
    for (const key of Object.keys(c.params || {})) names.add(camel(key));
    fieldsOf.set(c.operation, names);
  }
  const operations = [...fieldsOf.keys()];
  assert.ok(operations.length >= 70, `${operations.length} operations in the vectors`);
  const validParams = cases.filter((c) => 'body' in c.expect);

  const stub = await recordingStub();
  const answers = [{ callId: '0123456789abcdef0123456789abcdef', user_data: null }, null, true, 'x', [], {}];
  stub.answerWith(() => answers[stub.received.length % answers.length]);
  const client = new Client({ appId: 'fuzz-app', certId: 'fuzz-cert', secretKey: 'fuzz-secret', baseUrl: stub.url, timeoutMs: 10000 });
  const outcomes = { resolved: 0, sent: 0, refused: 0, timedOut: 0 };
  try {
    /** One random call: its operation, fields, options, and the error a getter of the fields throws. */
    const input = () => {
      let name;
      let fields;
      if (r.chance(0.4)) {
        // A request that core would send, with one value changed or not.
        const c = r.pick(validParams);
        name = c.operation;
        fields = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [camel(k), v]));
        if (r.chance(0.5)) fields[r.pick([...Object.keys(fields), 'userData', 'extra'])] = anyValue(r);
      } else {
        name = r.chance(0.95) ? r.pick(operations) : r.pick(['', 'conf_creat', 'ConfCreate', '\ud800', 42, undefined]);
        const known = [...(fieldsOf.get(name) || [])];
        fields = {};
        for (let i = r.int(7); i > 0; i--) {
          const key = known.length > 0 && r.chance(0.8) ? r.pick(known) : r.pick(['__proto__', 'constructor', 'toString', '', 'a.b', text(r)]);
          // Own properties, even `__proto__`.
          Object.defineProperty(fields, key, { value: anyValue(r), enumerable: true, writable: true, configurable: true });
        }
        if (r.chance(0.05)) fields = anyValue(r);
      }
      let getterError = null;
      if (r.chance(0.02) && fields !== null && typeof fields === 'object') {
        getterError = new Error('a getter of the caller');
        Object.defineProperty(fields, 'userData', { enumerable: true, get() { throw getterError; } });
      }
      const options = r.chance(0.1) ? { timeoutMs: anyValue(r) } : undefined;
      return { name, fields, options, getterError };
    };
    // Made before any is sent, so that the inputs do not depend on the order of answers.
    const inputs = Array.from({ length: REQUESTS }, input);
    const one = async ({ name, fields, options, getterError }) => {
      let promise;
      try {
        promise = client.request(name, fields, options);
      } catch (err) {
        assert.fail(`client.request threw synchronously: ${err && err.stack}`);
      }
      assert.ok(promise instanceof Promise);
      try {
        await promise;
        outcomes.resolved += 1;
        outcomes.sent += 1;
      } catch (err) {
        if (getterError !== null && err === getterError) {
          outcomes.refused += 1;
          return;
        }
        assert.ok(err instanceof YunhuniError, `${String(name)}: ${err && err.stack}`);
        if (err.kind === 'validation') {
          outcomes.refused += 1;
          assert.equal(err.maybeSent, false);
        } else if (err.kind === 'timeout') {
          // A tiny timeoutMs of the call: it may or may not have reached the stub.
          outcomes.timedOut += 1;
        } else {
          // The stub answered; what it answered may not be what the operation answers.
          assert.ok(['decode', 'api'].includes(err.kind), `${String(name)}: ${err.kind}: ${err.message}`);
          outcomes.sent += 1;
        }
      }
    };
    let next = 0;
    const workers = Array.from({ length: 8 }, async () => {
      while (next < inputs.length) await one(inputs[next++]);
    });
    await Promise.all(workers);
    t.diagnostic(`hostile node request: seed ${SEED}, ${REQUESTS} calls: ${JSON.stringify(outcomes)}`);
    // Every request that reached the stub is one the caller saw sent (or time out), and no other.
    assert.ok(stub.received.length >= outcomes.sent, `${stub.received.length} received: ${JSON.stringify(outcomes)}`);
    assert.ok(stub.received.length <= outcomes.sent + outcomes.timedOut, `${stub.received.length} received: ${JSON.stringify(outcomes)}`);
    assert.ok(outcomes.refused > REQUESTS / 4, JSON.stringify(outcomes));
    assert.ok(outcomes.sent > REQUESTS / 20, JSON.stringify(outcomes));
    for (const got of stub.received) {
      // Every body sent is ASCII JSON.
      if (got.body.length > 0) {
        assert.ok(got.body.every((b) => b < 0x80), got.body.toString('latin1'));
        JSON.parse(got.body.toString('latin1'));
      }
    }
  } finally {
    await stub.close();
  }
});
