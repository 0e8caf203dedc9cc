'use strict';
// examples/node/ivr_menu.js served by node:http, walked branch by branch by scripted callers in
// the sandbox; the app sees every event typed.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { Client } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');
const { REPO } = require('./helpers.js');

const EXAMPLES = path.join(REPO, 'examples', 'node');
// The example `require('yunhuni')`: link this package where it looks for it.
const link = path.join(EXAMPLES, 'node_modules', 'yunhuni');
if (!fs.existsSync(path.join(link, 'package.json'))) {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.relative(path.dirname(link), path.resolve(__dirname, '..')), link, 'dir');
}
const { createHandler, SALES_AGENT } = require(path.join(EXAMPLES, 'ivr_menu.js'));

const events = [];
let server;
let sb;

before(async () => {
  server = http.createServer(createHandler({ onEvent: (ev) => events.push(ev) }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  sb = await Sandbox.start({ timeScale: 200, callbackUrl: `${url}/events`, ivrUrl: `${url}/ivr` });
  sb.setBehavior(SALES_AGENT, { answer: 'after', ms: 2000, hangupAfterMs: 20000 });
});

after(async () => {
  await sb.close();
  server.close();
});

async function eventsOf(callId) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const mine = events.filter((e) => e.id === callId);
    if (mine.some((e) => e.type === 'ivr.call_end')) return mine;
    if (Date.now() > deadline) throw new Error(`no ivr.call_end for ${callId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// the caller's keys, the <next> paths the platform requests, the branch
const BRANCHES = [
  [['1', '1', '1'], ['/ivr/main', '/ivr/sales', '/ivr/orders', '/ivr/goodbye'], 'order-status'],
  [['1', '1', '2', '9'], ['/ivr/main', '/ivr/sales', '/ivr/orders', '/ivr/main'], 'back-to-main'],
  [['1', '1', '4'], ['/ivr/main', '/ivr/sales', '/ivr/orders'], 'orders-goodbye'],
  [['1', '2'], ['/ivr/main', '/ivr/sales', '/ivr/goodbye'], 'sales-agent'],
  [['1', '7'], ['/ivr/main', '/ivr/sales'], 'sales-goodbye'],
  [['2', '1'], ['/ivr/main', '/ivr/support'], 'opening-hours'],
  [['2', '2'], ['/ivr/main', '/ivr/support', '/ivr/recorded'], 'message'],
  [['2', '5'], ['/ivr/main', '/ivr/support'], 'support-goodbye'],
  [['3'], ['/ivr/main'], 'main-goodbye'],
];

for (const [i, [keys, paths, branch]] of BRANCHES.entries()) {
  test(`branch ${branch}: keys ${keys.join(' ')}`, async () => {
    const caller = `1360000${String(i).padStart(4, '0')}`;
    sb.setBehavior(caller, { answer: 'after', ms: 0, keys });
    const callId = sb.inboundCall(caller, '02088880000');
    const delivery = await sb.waitForDelivery(callId, 30000);
    assert.equal(delivery.event, 'ivr.call_end');
    const requests = sb.ivrRequests(callId);
    assert.equal(requests[0].method, 'POST');
    assert.equal(new URL(requests[0].url).pathname, '/ivr');
    assert.deepEqual(requests.slice(1).map((r) => new URL(r.url).pathname), paths);
    assert.ok(requests.every((r) => r.status === 200));
    const mine = await eventsOf(callId);
    assert.deepEqual(mine.filter((e) => e.type === 'ivr.get_end').map((e) => e.keys), keys);
    assert.equal(mine.at(-1).type, 'ivr.call_end');
    const types = new Set(mine.map((e) => e.type));
    if (branch === 'sales-agent') assert.ok(types.has('ivr.connect_begin') && types.has('ivr.connect_end'));
    if (branch === 'message') {
      assert.ok(types.has('ivr.record_end'));
      assert.match(requests.at(-1).url, /record_id=/);
    }
    if (['order-status', 'opening-hours', 'main-goodbye'].includes(branch)) assert.ok(types.has('ivr.play_end'));
  });
}

test('an outbound ivrCall runs the same menu', async () => {
  sb.setBehavior('13800000001', { answer: 'after', ms: 500, keys: ['2', '1'] });
  const client = new Client(sb.clientOptions());
  const created = await client.ivrCall({ to: '13800000001', maxCallDuration: 60, userData: 'campaign-7' });
  await sb.waitForEnd(created.callId, 30000);
  const mine = await eventsOf(created.callId);
  assert.equal(mine[0].type, 'ivr.dial_end');
  assert.equal(mine[0].userData, 'campaign-7');
  assert.deepEqual(mine.filter((e) => e.type === 'ivr.get_end').map((e) => e.keys), ['2', '1']);
});

test('requests that are not the platform\'s are refused', async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  assert.equal((await fetch(`${base}/ivr`, { method: 'POST', body: 'not json' })).status, 400);
  assert.equal((await fetch(`${base}/ivr/main?type=conference`)).status, 400);
  assert.equal((await fetch(`${base}/elsewhere`)).status, 404);
  const ok = await fetch(`${base}/ivr/main?type=get&keys=1`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /sales-menu\.wav/);
});

for (const readme of [path.join(__dirname, '..', 'README.md'), path.join(REPO, 'README.md')]) {
  test(`the IVR menu of ${path.relative(REPO, readme)} prints each event typed, as it shows`, () => {
    const section = fs.readFileSync(readme, 'utf8').split('### An IVR menu')[1];
    const snippet = section.match(/```js\n([\s\S]*?)```/)[1];
    // The output shown after the snippet.
    const shown = section.slice(section.indexOf(snippet) + snippet.length).match(/```text\n([\s\S]*?)```/)[1];
    // Run from the package's own folder, where `require('yunhuni')` resolves to this package.
    const r = require('node:child_process').spawnSync(process.execPath, ['--input-type=commonjs', '-e', snippet], {
      cwd: path.resolve(__dirname, '..'),
      encoding: 'utf8',
      timeout: 60000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').map((l) => l.trimEnd()).filter(Boolean), shown.split('\n').filter(Boolean));
  });
}
