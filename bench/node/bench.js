'use strict';
// Node: the yunhuni package against what a Node application would write without it.
//
// Rows (one JSON object per line on stdout, the fields of bench/src/main.rs):
// - Client.duoCallback vs fetch + node:crypto (bench/baselines/node_fetch.js), sequential;
// - the same with 64 requests in flight;
// - parseEvent of a real duo_callback.end body vs JSON.parse plus a copy of its fields;
// - with --only http: Client.duoCallback vs node:http with a keep-alive Agent + node:crypto
//   (bench/baselines/node_http.js; at most 64 sockets, the addon's request workers) at each of --concurrency (1,64,1000) requests in flight,
//   meant for the trivial loopback server (`yunhuni-bench serve`), and the threads of this
//   process with 1,000 requests in flight (read from /proc/self/task).
// Ours and the baseline alternate repetition by repetition, after a warm-up of each.
//
//   node bench/node/bench.js --base-url URL [--quick] [--only sequential|inflight|parse|http]
//        [--concurrency 1,64,1000] [--label unpinned]

const os = require('node:os');
const path = require('node:path');
const { Client, parseEvent } = require('yunhuni');
const fs = require('node:fs');
const { FetchClient } = require(path.join(__dirname, '..', 'baselines', 'node_fetch.js'));
const { NodeHttpClient } = require(path.join(__dirname, '..', 'baselines', 'node_http.js'));

const args = process.argv.slice(2);
const baseUrl = args[args.indexOf('--base-url') + 1];
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const label = args.includes('--label') ? args[args.indexOf('--label') + 1] : '';
const concurrency = (args.includes('--concurrency') ? args[args.indexOf('--concurrency') + 1] : '1,64,1000')
  .split(',').map(Number);
if (!args.includes('--base-url') || !baseUrl) {
  console.error('usage: node bench.js --base-url URL [--quick]');
  process.exit(2);
}

const options = {
  appId: process.env.YUNHUNI_APP_ID || 'b0a5d1e5a2c64f0e9a7e3c1d5f000001',
  certId: process.env.YUNHUNI_CERT_ID || 'c3e7a9f1d2b44e8c8a6b1f0e2d000001',
  secretKey: process.env.YUNHUNI_SECRET_KEY || '5d8f2a7c9e1b4d6fa3c0e8b7d9000001',
  baseUrl,
};
const REQUEST = { to1: '13800000001', to2: '13800000002', maxCallDuration: 60 };
// The body the platform POSTs at the end of a connected callback (the same bytes as the Rust row).
const END_EVENT = Buffer.from(
  '{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify",' +
    '"id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42",' +
    '"event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}',
  'latin1',
);

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return [median, median > 0 ? (s[s.length - 1] - s[0]) / median : 0];
}

async function rate(work, run) {
  const start = process.hrtime.bigint();
  await run();
  return work / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function interleaved(reps, work, ours, baseline) {
  await ours();
  await baseline();
  const o = [];
  const b = [];
  for (let i = 0; i < reps; i++) {
    o.push(await rate(work, ours));
    b.push(await rate(work, baseline));
  }
  return [o, b];
}

function row(name, ours, baseline, unit, target, note, extra = {}) {
  const [o, oSpread] = stats(ours);
  const [b, bSpread] = baseline ? stats(baseline) : [null, null];
  console.log(JSON.stringify({
    name, ours: o, baseline: b, unit, target, ours_spread: oSpread, baseline_spread: bSpread,
    samples: ours.length, note, ...extra,
  }));
}

/** `n` calls of `call`, `inFlight` at a time. */
async function calls(call, n, inFlight) {
  const worker = async (k) => {
    for (let i = 0; i < k; i++) {
      const { callId } = await call(REQUEST);
      if (callId.length !== 32) throw new Error(`unexpected call id ${callId}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, () => worker(n / inFlight)));
}

async function roundTrips(reps, n, inFlight, name) {
  const ours = new Client(options);
  const baseline = new FetchClient(options);
  const [o, b] = await interleaved(
    reps,
    n,
    () => calls((r) => ours.duoCallback(r), n, inFlight),
    () => calls((r) => baseline.duoCallback(r), n, inFlight),
  );
  const where = inFlight > 1 ? `; unpinned: the client and the sandbox share all ${os.availableParallelism()} cores` : '';
  row(name, o, b, 'requests/s', 1, `${n} requests per sample; Node ${process.version}${where}`);
}

/**
 * The threads of this process now; with `others`, only those that are not the addon's workers
 * (named yunhuni-*), which outlive a run of ours by 30 s of idleness.
 */
function threads(others = false) {
  const tasks = fs.readdirSync('/proc/self/task');
  if (!others) return tasks.length;
  return tasks.filter((t) => {
    try {
      return !fs.readFileSync(`/proc/self/task/${t}/comm`, 'latin1').startsWith('yunhuni-');
    } catch {
      return false; // a thread that just ended
    }
  }).length;
}

/**
 * `n` calls of `call`, `inFlight` at a time, while the most threads this process had is
 * recorded in `peak.threads` (read just after all are issued, then every 2 ms).
 */
async function callsCounted(call, n, inFlight, peak) {
  const run = calls(call, n, inFlight);
  peak.threads = Math.max(peak.threads, threads(peak.others));
  const timer = setInterval(() => { peak.threads = Math.max(peak.threads, threads(peak.others)); }, 2);
  try {
    await run;
  } finally {
    clearInterval(timer);
  }
}

/**
 * Ours vs node:http with a keep-alive Agent at each concurrency of --concurrency, against the
 * server at --base-url (the trivial loopback server in bench/run): rows
 * `node_vs_node_http_c{N}` (target 1), and at 1,000 in flight `node_threads_c1000`: the most
 * threads this process had while ours ran (Node's own threads plus the addon's request workers),
 * against the same for node:http.
 */
async function httpRows(reps) {
  const suffix = label ? `_${label}` : '';
  const shown = label ? `, ${label}` : '';
  const idle = threads();
  for (const c of concurrency) {
    const n = quick ? Math.max(50, c) : Math.max(2000, c * 20);
    const ours = new Client(options);
    // As many sockets as the addon has request workers (at 1,000 in flight the Agent's default,
    // no limit, is slower here: it opens 1,000 connections and keeps only 256 of them idle).
    const baseline = new NodeHttpClient(options, { maxSockets: 64 });
    const peakOurs = { threads: 0, others: false };
    const peakBase = { threads: 0, others: true };
    const [o, b] = await interleaved(
      reps,
      n,
      () => callsCounted((r) => ours.duoCallback(r), n, c, peakOurs),
      () => callsCounted((r) => baseline.duoCallback(r), n, c, peakBase),
    );
    const sockets = Object.values(baseline.agent.freeSockets).reduce((k, list) => k + list.length, 0);
    baseline.close();
    row(`Node Client.duoCallback vs node:http keep-alive Agent (64 sockets) + node:crypto, ${c} in flight${shown}`, o, b,
      'requests/s', 1,
      `${n} requests per sample, ${c} in flight, against the trivial loopback server; Node ${process.version}; ` +
      `threads of the process: ${peakOurs.threads} at most with ours, ${peakBase.threads} with node:http (the ` +
      `addon's idle workers not counted), ${idle} before any request; node:http kept ${sockets} sockets open`,
      { key: `node_vs_node_http_c${c}${suffix}` });
    if (c >= 1000) {
      row(`Node: threads of the process with ${c} requests in flight${shown}`, [peakOurs.threads], [peakBase.threads],
        'threads', idle + 64,
        `the most threads /proc/self/task listed while ${c} calls were in flight (read after issuing them, then ` +
        `every 2 ms): ours against node:http's; target: Node's own ${idle} threads before any request plus the ` +
        'addon\'s 64 request workers (YUNHUNI_NODE_THREADS)',
        { key: `node_threads_c${c}${suffix}`, target_kind: 'max' });
    }
  }
}

/** What an application would do without the SDK: parse, then copy the fields it uses. */
function baselineParse(body) {
  const d = JSON.parse(body.toString('latin1'));
  return {
    event: d.event,
    id: d.id ?? null,
    subaccountId: d.subaccount_id ?? null,
    beginTime: d.begin_time ?? null,
    answerTime1: d.answer_time1 ?? null,
    answerTime2: d.answer_time2 ?? null,
    endTime: d.end_time ?? null,
    hangupBy: d.hangup_by ?? null,
    duration: d.duration ?? null,
    reason: d.reason ?? null,
    error: d.error ?? null,
    userData: d.user_data ?? null,
    recordFile: d.record_file ?? null,
  };
}

async function parse(reps, n) {
  const a = parseEvent(END_EVENT);
  const b = baselineParse(END_EVENT);
  if (a.id !== b.id || a.userData !== b.userData || a.answerTime2 !== b.answerTime2) {
    throw new Error('parseEvent and the baseline disagree');
  }
  let sink = 0;
  const [o, base] = await interleaved(
    reps,
    n,
    () => { for (let i = 0; i < n; i++) sink += parseEvent(END_EVENT).endTime; },
    () => { for (let i = 0; i < n; i++) sink += baselineParse(END_EVENT).endTime; },
  );
  if (sink === 0) throw new Error('unreachable');
  row('Node parseEvent vs JSON.parse + field copy', o, base, 'events/s', 0.5,
    `${END_EVENT.length} byte duo_callback.end body, ${n} per sample`, { key: 'node_parse_vs_json' });
}

async function main() {
  const reps = quick ? 2 : 7;
  if (!only || only === 'sequential') {
    await roundTrips(reps, quick ? 50 : 1000, 1, 'Node Client.duoCallback vs fetch + node:crypto, sequential');
  }
  if (!only || only === 'inflight') {
    await roundTrips(reps, quick ? 128 : 4096, 64, 'Node Client.duoCallback vs fetch + node:crypto, 64 in flight');
  }
  if (!only || only === 'parse') await parse(reps, quick ? 2000 : 200000);
  if (only === 'http') await httpRows(reps);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
