'use strict';
// 64 calls in flight at once wait side by side, off the event loop, which keeps ticking.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Client } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');

const CALLS = 64;
const DELAY_MS = 300;

test(`${CALLS} calls in flight against a slow sandbox are concurrent and the event loop keeps ticking`, async (t) => {
  const sb = await Sandbox.start({ apiDelayMs: DELAY_MS, timeScale: 100 });
  try {
    const client = new Client(sb.clientOptions({ timeoutMs: 20000 }));

    // A timer armed while every call waits must fire on time.
    const timerDue = 100;
    let timerLate = null;
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const interval = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks += 1;
    }, 10);

    const started = performance.now();
    const calls = [];
    for (let i = 0; i < CALLS; i += 1) {
      const n = String(i).padStart(2, '0');
      calls.push(client.duoCallback({ to1: `138000001${n}`, to2: `138000002${n}`, maxCallDuration: 60, userData: `c${i}` }));
    }
    const armed = performance.now();
    setTimeout(() => { timerLate = performance.now() - armed - timerDue; }, timerDue);

    const results = await Promise.all(calls);
    const elapsed = performance.now() - started;
    clearInterval(interval);

    assert.equal(results.length, CALLS);
    assert.equal(new Set(results.map((r) => r.callId)).size, CALLS);
    results.forEach((r, i) => assert.equal(r.userData, `c${i}`));

    // Behind libuv's 4 default threads they would take CALLS / 4 * DELAY_MS = 4800 ms.
    const serialisedBehindFour = (CALLS / 4) * DELAY_MS;
    assert.ok(elapsed >= DELAY_MS, `${elapsed} ms`);
    assert.ok(elapsed < serialisedBehindFour / 2, `${CALLS} calls took ${elapsed.toFixed(0)} ms; behind 4 threads: ${serialisedBehindFour} ms`);
    assert.notEqual(timerLate, null, 'the timer fired before the calls finished');
    assert.ok(timerLate < 150, `the timer fired ${timerLate.toFixed(0)} ms late`);
    assert.ok(ticks >= DELAY_MS / 10 / 3, `${ticks} interval ticks`);
    assert.ok(maxGap < 250, `the event loop stalled for ${maxGap.toFixed(0)} ms`);
    t.diagnostic(`${CALLS} calls: ${elapsed.toFixed(0)} ms; timer late by ${timerLate.toFixed(0)} ms; max loop gap ${maxGap.toFixed(0)} ms`);
  } finally {
    await sb.close();
  }
});

test('worker threads load the package too: each thread gets YunhuniErrors of its own class', async () => {
  const { Worker } = require('node:worker_threads');
  const { YunhuniError } = require('yunhuni');
  const probe = `
    const { parentPort } = require('node:worker_threads');
    const { Client, YunhuniError } = require(${JSON.stringify(require.resolve('yunhuni'))});
    const client = new Client({ appId: 'a', certId: 'c', secretKey: 's', baseUrl: 'http://127.0.0.1:1' });
    client.confCreate({ maxDuration: 0 }).catch((e) => parentPort.postMessage([e instanceof YunhuniError, e.kind, e.field]));
  `;
  for (let i = 0; i < 2; i++) {
    const worker = new Worker(probe, { eval: true });
    const got = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    await worker.terminate();
    assert.deepEqual(got, [true, 'validation', 'maxDuration']);
  }
  // The main thread's errors are still of the main thread's class after the workers ended.
  const client = new Client({ appId: 'a', certId: 'c', secretKey: 's', baseUrl: 'http://127.0.0.1:1' });
  await assert.rejects(client.confCreate({ maxDuration: 0 }), (e) => e instanceof YunhuniError && e.field === 'maxDuration');
});
