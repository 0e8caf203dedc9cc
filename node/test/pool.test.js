'use strict';
// The addon's request workers: a bounded pool with a queue, so that requests in flight are not
// threads; one way back to each JavaScript environment, which holds the process open only
// while a Promise is pending. And parseEvent's objects, made directly through N-API.
//
// Each client runs in a child process (its threads are its own to count); the server is a
// node:http server in this process answering every call with a new call id.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { parseEvent } = require('yunhuni');
const { httpServer } = require('./helpers.js');

const PACKAGE = require.resolve('yunhuni');

/** A server that answers every request as the platform answers a placed call, after `delayMs`. */
async function callServer(delayMs = 0) {
  let n = 0;
  let requests = 0;
  const server = await httpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const callId = (n += 1).toString(16).padStart(32, '0');
      const body = JSON.stringify({ code: '000000', msg: 'ok', data: { callId, user_data: null } });
      setTimeout(() => res.end(body), delayMs);
    });
  });
  return { ...server, requests: () => requests };
}

/** Runs `source` in a fresh node with `env`; resolves to its exit code, signal, stdout, stderr. */
function child(source, env, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', source], {
      env: { ...process.env, YUNHUNI_PACKAGE: PACKAGE, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); }, timeoutMs);
    p.on('error', reject);
    p.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err }); });
  });
}

const CLIENT = `
  const fs = require('node:fs');
  const { Client } = require(process.env.YUNHUNI_PACKAGE);
  const threads = () => fs.readdirSync('/proc/self/task').length;
  const client = new Client({ appId: 'a', certId: 'c', secretKey: 's', baseUrl: process.env.BASE_URL });
  const call = (i) => client.duoCallback({ to1: '1380' + String(i).padStart(7, '0'), to2: '13900000000', maxCallDuration: 60 });
`;

test('1,000 requests in flight run on the bounded pool: at most YUNHUNI_NODE_THREADS more threads, each settles once, and the process exits by itself', async () => {
  const server = await callServer(20);
  try {
    const r = await child(`${CLIENT}
      const before = threads();
      const calls = Array.from({ length: 1000 }, (_, i) => call(i));
      let most = threads();
      const timer = setInterval(() => { most = Math.max(most, threads()); }, 5);
      Promise.all(calls).then((results) => {
        clearInterval(timer);
        console.log(JSON.stringify({ before, most, ids: new Set(results.map((x) => x.callId)).size }));
      });
    `, { BASE_URL: server.url, YUNHUNI_NODE_THREADS: '8' });
    assert.equal(r.signal, null, `killed: ${r.err}`);
    assert.equal(r.code, 0, r.err);
    const got = JSON.parse(r.out);
    assert.equal(got.ids, 1000);
    assert.ok(got.most - got.before <= 8, `${got.most} threads with 1,000 requests in flight, ${got.before} before`);
    assert.ok(got.most > got.before, `no worker started: ${JSON.stringify(got)}`);
    assert.equal(server.requests(), 1000, 'every request sent exactly once');
  } finally {
    await server.close();
  }
});

test('one request worker: requests wait in the queue and all settle', async () => {
  const server = await callServer();
  try {
    const r = await child(`${CLIENT}
      Promise.all(Array.from({ length: 50 }, (_, i) => call(i)))
        .then((results) => console.log(new Set(results.map((x) => x.callId)).size));
    `, { BASE_URL: server.url, YUNHUNI_NODE_THREADS: '1' });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), '50');
  } finally {
    await server.close();
  }
});

test('a pending request holds the process open until it settles, with nothing else to wait for', async () => {
  const server = await callServer(300);
  try {
    const r = await child(`${CLIENT}
      call(1).then((x) => console.log('settled', x.callId.length));
    `, { BASE_URL: server.url });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), 'settled 32');
  } finally {
    await server.close();
  }
});

test('an out-of-range YUNHUNI_NODE_THREADS is ignored: the default pool serves', async () => {
  const server = await callServer();
  try {
    for (const value of ['0', '-3', 'many', '100000']) {
      const r = await child(`${CLIENT}
        Promise.all([call(1), call(2)]).then((x) => console.log(x.length));
      `, { BASE_URL: server.url, YUNHUNI_NODE_THREADS: value });
      assert.equal(r.code, 0, `${value}: ${r.err}`);
      assert.equal(r.out.trim(), '2', value);
    }
  } finally {
    await server.close();
  }
});

test('a worker thread ended with requests in flight (some with a hook): no crash, and the main thread still gets its answers', async () => {
  const server = await callServer(200);
  try {
    const r = await child(`${CLIENT}
      const { Worker } = require('node:worker_threads');
      // The worker's client has an onRequest hook: a reference of the worker's environment
      // that must never be released after that environment ended.
      const source = process.env.CLIENT_SOURCE + ';' +
        "const hooked = new Client({ appId: 'a', certId: 'c', secretKey: 's', baseUrl: process.env.BASE_URL, onRequest() {} });" +
        "Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? call(i) : hooked.duoCallback({ to1: '13800000001', to2: '13900000000', maxCallDuration: 60 })))).then(() => require('node:worker_threads').parentPort.postMessage('done'));" +
        "require('node:worker_threads').parentPort.postMessage('sent');";
      const worker = new Worker(source, { eval: true });
      worker.once('message', async () => {
        await worker.terminate();
        const x = await call(99);
        console.log('main', x.callId.length);
      });
    `, { BASE_URL: server.url, CLIENT_SOURCE: CLIENT });
    assert.equal(r.signal, null, r.err);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), 'main 32');
  } finally {
    await server.close();
  }
});

const END = '{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001",' +
  '"answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}';

test('parseEvent: plain objects, keys in the view\'s order, made the same way each time', () => {
  const a = parseEvent(END);
  const b = parseEvent(Buffer.from(END, 'latin1'));
  assert.deepEqual(a, b);
  assert.equal(Object.getPrototypeOf(a), Object.prototype);
  assert.deepEqual(Object.keys(a), [...Object.keys(a)].sort());
  assert.equal(a.talkSeconds, 40);
  assert.equal(a.outcome, 'connected');
  a.extra = 1;
  assert.equal(parseEvent(END).extra, undefined, 'each call makes a new object');
});

test('parseEvent: other events of one name with different keys each keep their own keys', () => {
  const bodies = [
    { event: 'x.changing', a_b: 1 },
    { event: 'x.changing', a_b: 1, c: [1, { d_e: 2 }] },
    { event: 'x.changing' },
    { event: 'x.changing', z: null, y: true },
  ];
  for (let round = 0; round < 2; round += 1) {
    for (const body of bodies) {
      const ev = parseEvent(JSON.stringify(body));
      assert.deepEqual(ev, { event: 'x.changing', type: 'event', fields: body });
    }
  }
});

test('parseEvent: a __proto__ key is an own property, as JSON.parse makes it, never the prototype', () => {
  const ev = parseEvent('{"event":"x.y","__proto__":{"polluted":1},"n":{"__proto__":[1]}}');
  assert.equal(Object.getPrototypeOf(ev.fields), Object.prototype);
  assert.equal(ev.fields.polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyDescriptor(ev.fields, '__proto__').value, { polluted: 1 });
  assert.deepEqual(Object.getOwnPropertyDescriptor(ev.fields.n, '__proto__').value, [1]);
  assert.equal({}.polluted, undefined);
});

test('parseEvent: the same objects when node refuses code generation from strings', async () => {
  const bodies = [END, '{"event":"x.y","a_b":[1,{"c_d":null}],"__proto__":2}'];
  const r = await child(`
    const { parseEvent } = require(process.env.YUNHUNI_PACKAGE);
    console.log(JSON.stringify(${JSON.stringify(bodies)}.map((b) => parseEvent(b))));
  `, {}, 30000);
  const refused = await new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--disallow-code-generation-from-strings', '-e', `
      const { parseEvent } = require(${JSON.stringify(PACKAGE)});
      console.log(JSON.stringify(${JSON.stringify(bodies)}.map((b) => parseEvent(b))));
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out }));
  });
  assert.equal(r.code, 0, r.err);
  assert.equal(refused.code, 0);
  assert.equal(refused.out, r.out);
  assert.deepEqual(JSON.parse(r.out), bodies.map((b) => JSON.parse(JSON.stringify(parseEvent(b)))));
});
