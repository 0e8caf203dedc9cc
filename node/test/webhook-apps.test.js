'use strict';
// The webhook helpers in real apps, as a user runs them: each example of examples/node
// (node:http, Express, Fastify) runs as two processes behind a round-robin proxy, sharing a
// real redis-server through RedisStore; a sandbox run (the testing Sandbox with its app URL
// pointed at the proxy) delivers the end events of many calls and the events of IVR calls,
// while the handler fails for a share of deliveries (so the platform re-sends them, and the
// re-send reaches the other process) and stalls for another share (so the platform re-sends
// while the first attempt still runs). Every event is handled exactly once.
// Then each example alone: a POST without the right token is refused before anything is
// parsed, a declared 100 MB body is refused unread, and a chunked body that never ends is cut
// off at the limit.

const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { Client } = require('..');
const { Sandbox } = require('../testing');
const { startRedis, roundRobinProxy, rawRequest, statusOf, linkExampleModules } = require('./webhook_helpers.js');

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples', 'node');
const WORKER = path.join(__dirname, 'webhook_worker.js');
const TOKEN = 'tok-3f9a/+ &x';
const QUERY = `token=${encodeURIComponent(TOKEN)}`;
// The platform's timeout per attempt in this sandbox, and how long a stalled handler takes.
// The timeout leaves a failing handler ample time to release its key and answer 500: a 500
// that came after the platform gave up and re-sent would find the key still claimed (the
// re-send answered 200 as a duplicate) and the event lost, as it would be on the platform.
const TIMEOUT_MS = 2500;
const SLOW_MS = 4000;
const CALLS = 36;
const IVR_CALLS = 4;

/** Starts one worker process of `example`; resolves to `{ url, child, stderr }`. */
function startWorker(example, env) {
  const child = spawn(process.execPath, [WORKER, path.join(EXAMPLES, example)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${example} did not start: ${stderr}`)), 30000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${example} exited (${code}): ${stderr}`)); });
    lines.on('line', (line) => {
      const m = /^listening on (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, stderr: () => stderr });
      }
    });
  });
}

async function stopWorker(worker) {
  if (worker.child.exitCode !== null) return;
  const exited = new Promise((r) => worker.child.once('exit', r));
  worker.child.kill('SIGTERM');
  await exited;
}

/** Polls `check` until it returns true (the work is done), or fails after `ms`. */
async function until(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhook helpers in real apps: two processes sharing Redis, a sandbox run with re-sends', () => {
  let redis;
  let sb;
  before(async () => {
    linkExampleModules();
    redis = await startRedis();
    sb = await Sandbox.start({ timeScale: 50, webhookTimeoutMs: TIMEOUT_MS });
  });
  after(async () => {
    await sb?.close();
    await redis?.stop();
  });

  for (const [framework, example] of [['node:http', 'webhook_receiver.js'], ['Express', 'webhook_express.js'], ['Fastify', 'webhook_fastify.js']]) {
    test(`${framework} (${example}): every event handled exactly once`, async (t) => {
      const run = `run-${example}`;
      const env = { REDIS_URL: redis.url, WEBHOOK_TOKEN: TOKEN, RUN: run, SLOW_MS: String(SLOW_MS) };
      const workers = await Promise.all([startWorker(example, env), startWorker(example, env)]);
      const backends = workers.map((w) => w.url.replace(/\/[^/]*$/, ''));
      const proxy = await roundRobinProxy(backends);
      const webhookPath = new URL(workers[0].url).pathname;
      try {
        sb.setCallbackUrl(`${proxy.url}${webhookPath}?${QUERY}`);
        const client = new Client(sb.clientOptions());
        const numbers = ['13800000001', '13900000001', '13900000002', '13900000003', '13900000004'];
        const placed = [];
        for (let i = 0; i < CALLS; i++) {
          const created = i % 4 === 3
            ? await client.notifyCall({ to: numbers[i % numbers.length], playFile: 'welcome.wav', userData: `n-${i}` })
            : await client.duoCallback({ to1: numbers[i % numbers.length], to2: '13800000002', maxCallDuration: 60, userData: `d-${i}` });
          placed.push(created.callId);
        }
        const ivrCalls = [];
        for (let i = 0; i < IVR_CALLS; i++) {
          ivrCalls.push((await client.ivrCall({ to: '13800000003', maxDialDuration: 30, maxCallDuration: 60, userData: `i-${i}` })).callId);
        }
        for (const callId of placed) await sb.waitForDelivery(callId, 60000);
        for (const callId of ivrCalls) await sb.waitForDelivery(callId, 60000);

        // What the platform sent: each distinct event body, and the statuses of its attempts.
        const sent = () => {
          const events = new Map();
          for (const callId of [...placed, ...ivrCalls]) {
            for (const a of sb.webhooks(callId)) {
              const e = events.get(a.bodyHex) ?? { callId, event: a.event, statuses: [] };
              e.statuses.push(a.status);
              events.set(a.bodyHex, e);
            }
          }
          return events;
        };
        const handledNow = async () => (await redis.client.lrange(`${run}:handled`, 0, -1)).map((l) => JSON.parse(l));
        // The end event of each call is settled, but other events of a call (an IVR call's
        // ivr.play_end) may still be in the platform's hands, or in a handler: wait until every
        // event sent is settled (a 200, or 4 attempts), no handler runs, and as many events
        // were handled as were sent.
        let events;
        let handled;
        await until(async () => {
          events = sent();
          const settled = [...events.values()].every((e) => e.statuses.includes(200) || e.statuses.length === 4);
          if (!settled || Number(await redis.client.get(`${run}:running`) ?? 0) !== 0) return false;
          handled = await handledNow();
          return new Set(handled.map((h) => h.key)).size >= events.size;
        }, 60000, 'every event sent to be settled and handled');
        const ivrEvents = [...events.values()].filter((e) => e.event.startsWith('ivr.'));
        assert.ok(ivrEvents.length >= 2 * IVR_CALLS, `IVR calls sent their events: ${JSON.stringify(ivrEvents)}`);
        const delivered = [...events.values()].filter((e) => e.statuses.includes(200));
        const failedFirst = delivered.filter((e) => e.statuses[0] === 500);
        assert.equal(delivered.length, events.size, `every event got a 200 in the end: ${JSON.stringify([...events.values()].filter((e) => !e.statuses.includes(200)))}`);
        assert.ok(failedFirst.length > 0, 'a share of deliveries failed first, so the platform sent them again');

        // Each event was handled once.
        const byKey = new Map();
        for (const h of handled) byKey.set(h.key, (byKey.get(h.key) ?? 0) + 1);
        assert.deepEqual([...byKey.entries()].filter(([, n]) => n !== 1), [], 'no event handled twice');
        assert.equal(byKey.size, events.size, 'every event the platform sent was handled, and nothing else');
        const callIds = new Set([...events.values()].map((e) => e.callId));
        assert.deepEqual(new Set(handled.map((h) => h.id)), callIds, 'handled events are those of the calls placed, typed (their id read)');
        const pids = new Set(handled.map((h) => h.pid));
        assert.equal(pids.size, 2, 'both processes handled events');
        // A re-send after a failure reached the other process and was handled there.
        assert.ok(handled.some((h) => h.tries > 1), 'events that failed first were handled on a later try');
        const resent = [...events.values()].filter((e) => e.statuses.length > 1);
        const timedOut = [...events.values()].filter((e) => e.statuses.includes(null));
        t.diagnostic(`${events.size} events (${ivrEvents.length} of IVR calls), ${resent.length} sent again `
          + `(${failedFirst.length} after a 500, ${timedOut.length} after a timeout), handled by ${pids.size} processes`);
      } catch (err) {
        err.message += `\n--- worker stderr:\n${workers.map((w) => w.stderr()).join('\n').slice(-4000)}`;
        throw err;
      } finally {
        sb.setCallbackUrl(null);
        await proxy.close();
        await Promise.all(workers.map(stopWorker));
      }
    });

    test(`${framework} (${example}): wrong token, 100 MB declared, endless chunked body`, async (t) => {
      const run = `guard-${example}`;
      const worker = await startWorker(example, { REDIS_URL: redis.url, WEBHOOK_TOKEN: TOKEN, RUN: run, FAULTS: 'off' });
      const url = new URL(worker.url);
      const target = url.pathname;
      const host = `Host: ${url.host}`;
      try {
        // No token, a wrong token: refused (401, 403) before the body is read or parsed: the
        // body is not JSON at all, and it is never sent.
        for (const [query, status] of [['', 401], ['?token=guess', 403], [`?${QUERY}x`, 403]]) {
          const r = await rawRequest(url.href, `POST ${target}${query} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: 50`);
          assert.equal(statusOf(r.response), status, r.response);
          assert.match(r.response, /token/);
        }
        // The right token and a body that is not an event: parsed, refused with 400.
        const junk = await fetch(`${worker.url}?${QUERY}`, { method: 'POST', body: 'not json' });
        assert.equal(junk.status, 400);
        // 100 MB declared: 413 at once, with none of it sent.
        const big = await rawRequest(url.href, `POST ${target}?${QUERY} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: 100000000`);
        assert.equal(statusOf(big.response), 413, big.response);
        assert.match(big.response, /connection: close/i);
        // A chunked body of up to 64 MiB: cut off at the limit (1 MiB): the server answers 413
        // or closes long before the client could write it all.
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
        const chunked = await rawRequest(url.href, `POST ${target}?${QUERY} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`, function* () {
          for (let i = 0; i < 1024; i++) yield framed;
        });
        assert.ok(chunked.written < 32 * 1024 * 1024, `the server read ${chunked.written} bytes of an endless body`);
        if (chunked.response) assert.equal(statusOf(chunked.response), 413, chunked.response);
        t.diagnostic(`endless chunked body: ${chunked.written} bytes written, then ${chunked.response ? `answered ${statusOf(chunked.response)}` : `closed (${chunked.error?.code ?? 'no error'})`}`);
        // Nothing of these reached the handler.
        assert.equal(await redis.client.llen(`${run}:handled`), 0);
        // And the app still works.
        const ok = await fetch(`${worker.url}?${QUERY}`, {
          method: 'POST',
          // An id of this test's own: the store is shared with the other tests.
          body: `{"action":"event_notify","id":"${run}","event":"duo_callback.end","hangup_by":"1"}`,
        });
        assert.equal(ok.status, 200);
        assert.equal(await redis.client.llen(`${run}:handled`), 1);
      } finally {
        await stopWorker(worker);
      }
    });
  }
});
