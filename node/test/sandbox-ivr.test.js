'use strict';
// The testing Sandbox running an IVR application served by node:http in this process:
// ivrUrl, inboundCall, ivrCall, scripted keys, the requests and events the app sees.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Client, YunhuniError } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');

let app;
let base;
const seen = [];

/** A two-level menu; events (`"action":"event_notify"`) and ivr_start may share one URL. */
before(async () => {
  app = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.setHeader('Content-Type', 'application/xml');
      if (body.includes('"event_notify"')) return res.end();
      const url = new URL(req.url, base);
      const keys = url.searchParams.get('keys');
      if (req.method === 'POST') {
        return res.end(`<response><get max_keys="1"><play>menu.wav</play></get><next>${base}/menu</next></response>`);
      }
      if (url.pathname === '/menu' && keys === '2') {
        return res.end('<response><play>two.wav</play><next>/bye</next></response>');
      }
      res.end('<response><hangup/></response>');
    });
  });
  await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${app.address().port}`;
});

after(() => app.close());

function eventsOf(callId) {
  return seen
    .filter((s) => s.body.includes('"event_notify"'))
    .map((s) => JSON.parse(s.body.toString('latin1')))
    .filter((e) => e.id === callId);
}

async function eventually(what, f) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('inboundCall runs the menu with the scripted keys', async () => {
  const sb = await Sandbox.start({ timeScale: 1000, callbackUrl: `${base}/events`, ivrUrl: `${base}/ivr` });
  try {
    assert.equal(sb.ivrUrl, `${base}/ivr`);
    sb.setBehavior('13600000001', { answer: 'after', ms: 0, keys: ['2'], keyIntervalMs: 500 });
    assert.deepEqual(sb.behavior('13600000001').keys, ['2']);
    const callId = sb.inboundCall('13600000001', '02088880000');
    const delivery = await sb.waitForDelivery(callId, 10000);
    assert.equal(delivery.event, 'ivr.call_end');
    const events = await eventually('three events', () => {
      const e = eventsOf(callId);
      return e.length === 3 && e;
    });
    assert.deepEqual(events.map((e) => e.event).sort(), ['ivr.call_end', 'ivr.get_end', 'ivr.play_end']);
    assert.equal(events.find((e) => e.event === 'ivr.get_end').keys, '2');
    const start = seen.find((s) => s.method === 'POST' && s.body.includes(callId) && !s.body.includes('"event_notify"'));
    assert.equal(start.url, '/ivr');
    assert.equal(start.body.toString(), `{"action":"ivr_start","from":"13600000001","type":"ivr_incoming","call_id":"${callId}"}`);
    assert.equal(start.headers['content-type'], 'application/json;charset=utf-8');
    const gets = seen.filter((s) => s.method === 'GET' && s.url.includes(callId)).map((s) => s.url);
    assert.deepEqual(gets, [`/menu?call_id=${callId}&type=get&keys=2`, `/bye?call_id=${callId}&type=play`]);
    const requests = sb.ivrRequests(callId);
    assert.deepEqual(requests.map((r) => r.method), ['POST', 'GET', 'GET']);
    assert.match(requests[0].reply, /menu\.wav/);
    assert.equal(sb.call(callId).kind, 'ivr_incoming');
    assert.equal(sb.call(callId).timeline[0].state, 'incoming');
  } finally {
    await sb.close();
  }
});

test('ivrCall with the typed client; one URL for events and IVR', async () => {
  const sb = await Sandbox.start({ timeScale: 1000, callbackUrl: `${base}/both` });
  try {
    assert.equal(sb.ivrUrl, null);
    sb.setBehavior('13800000001', { answer: 'after', ms: 500, keys: ['9'] });
    const client = new Client(sb.clientOptions());
    const created = await client.ivrCall({ to: '13800000001', maxCallDuration: 60, userData: 'u-1' });
    await sb.waitForEnd(created.callId, 10000);
    const start = seen.find((s) => s.method === 'POST' && s.body.includes(created.callId) && !s.body.includes('"event_notify"'));
    assert.equal(start.url, '/both');
    assert.equal(JSON.parse(start.body).user_data, 'u-1');
    const events = await eventually('three events', () => {
      const e = eventsOf(created.callId);
      return e.length === 3 && e;
    });
    assert.equal(events.find((e) => e.event === 'ivr.get_end').keys, '9');
  } finally {
    await sb.close();
  }
});

test('bad input and calls the platform ignores', async () => {
  const sb = await Sandbox.start({ timeScale: 1000 });
  try {
    assert.deepEqual(sb.recordings(), []);
    assert.equal(sb.ivrRequests('nope'), null);
    assert.throws(() => sb.inboundCall(undefined, '02088880000'), (e) => e instanceof YunhuniError && e.kind === 'validation' && e.field === 'from');
    assert.throws(() => sb.inboundCall('  ', '02088880000'), (e) => e.kind === 'validation');
    assert.throws(() => sb.inboundCall('13600000001', 42), (e) => e.kind === 'validation' && e.field === 'to');
    assert.throws(() => sb.setBehavior('13600000001', { answer: 'after', ms: 0, keys: ['1x'] }), /keys/);
    sb.setAppSettings({ disabledServices: ['ivr'] });
    assert.throws(() => sb.inboundCall('13600000001', '02088880000'), /IVR service/);
    sb.setAppSettings({});
    sb.setIvrUrl(`${base}/ivr`);
    assert.equal(sb.ivrUrl, `${base}/ivr`);
    sb.setIvrUrl(null);
    assert.equal(sb.ivrUrl, null);
    await assert.rejects(Sandbox.start({ ivrTimeoutMs: -1 }), (e) => e.kind === 'validation');
  } finally {
    await sb.close();
  }
});
