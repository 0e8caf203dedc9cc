'use strict';
// Node: the yunhuni package against what a Node application would write without it.
//
// Rows (one JSON object per line on stdout, the fields of bench/src/main.rs):
// - Client.duoCallback vs fetch + node:crypto (bench/baselines/node_fetch.js), sequential;
// - the same with 64 requests in flight;
// - parseEvent of a real duo_callback.end body vs JSON.parse plus a copy of its fields.
// Ours and the baseline alternate repetition by repetition, after a warm-up of each.
//
//   node bench/node/bench.js --base-url URL [--quick] [--only sequential|inflight|parse]

const os = require('node:os');
const path = require('node:path');
const { Client, parseEvent } = require('yunhuni');
const { FetchClient } = require(path.join(__dirname, '..', 'baselines', 'node_fetch.js'));

const args = process.argv.slice(2);
const baseUrl = args[args.indexOf('--base-url') + 1];
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
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

function row(name, ours, baseline, unit, target, note) {
  const [o, oSpread] = stats(ours);
  const [b, bSpread] = baseline ? stats(baseline) : [null, null];
  console.log(JSON.stringify({
    name, ours: o, baseline: b, unit, target, ours_spread: oSpread, baseline_spread: bSpread,
    samples: ours.length, note,
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
  row('Node parseEvent vs JSON.parse + field copy', o, base, 'events/s', 'report',
    `${END_EVENT.length} byte duo_callback.end body, ${n} per sample`);
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
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
