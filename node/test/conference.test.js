'use strict';
// Conferences and recordings from Node against the sandbox: every case of
// tests/cases/conference.json (valid input and at least one broken rule per field: what the SDK
// refuses before sending, what the platform answers), the conf.* events arriving typed at a
// real HTTP receiver, and examples/node/conference.js run as a user would.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Client, YunhuniError, parseEvent } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');
const { REPO, httpServer } = require('./helpers.js');

const TABLE = JSON.parse(fs.readFileSync(path.join(REPO, 'tests', 'cases', 'conference.json'), 'utf8'));
const STAYS = '13900000005';

/** snake_case to camelCase, as the binding names fields. */
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function substitute(value, conf, call) {
  if (typeof value === 'string') {
    return value.replaceAll('$CONF', conf).replaceAll('$CALL', call).replaceAll('$UNKNOWN', TABLE.unknown_id);
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, conf, call));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, conf, call)]));
  }
  return value;
}

let sb;
let client;
let receiver;
const events = [];

/** Resolves to the first received event matching `pred`. */
async function waitFor(what, pred, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find(pred);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} among ${events.map((e) => e.event)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  receiver = await httpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      events.push(parseEvent(Buffer.concat(chunks)));
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
    });
  });
  sb = await Sandbox.start({ timeScale: 200, callbackUrl: `${receiver.url}/events` });
  sb.setBehavior(TABLE.red_listed, { code: '020001' });
  client = new Client(sb.clientOptions());
});
after(async () => {
  await sb.close();
  await receiver.close();
});

async function member(conf) {
  const { callId } = await client.confInviteCall({ confId: conf, to: STAYS, maxDuration: 600 });
  await waitFor('conf.joined', (e) => e.type === 'conf.joined' && e.callId === callId);
  return callId;
}

for (const c of TABLE.cases) {
  test(c.name, async () => {
    let conf = '';
    let call = '';
    if (c.needs === 'conf' || c.needs === 'member') conf = (await client.confCreate({ maxDuration: 600 })).confId;
    if (c.needs === 'member') call = await member(conf);
    const fields = Object.fromEntries(Object.entries(substitute(c.fields, conf, call)).map(([k, v]) => [camel(k), v]));
    if (c.client.kind === 'ok') {
      const data = await client.request(c.op, fields);
      if (c.data !== null && typeof c.data === 'object') {
        for (const [k, v] of Object.entries(c.data)) {
          if (v === '$ANY') assert.ok(typeof data[k] === 'string' && data[k].length > 0, `${k}: ${JSON.stringify(data)}`);
          else assert.deepEqual(data[k], v, k);
        }
      } else if (c.data !== undefined) {
        assert.deepEqual(data, c.data);
      }
      return;
    }
    await assert.rejects(client.request(c.op, fields), (e) => {
      assert.ok(e instanceof YunhuniError, String(e));
      assert.equal(e.kind, c.client.kind, e.message);
      if (c.client.kind === 'validation') {
        assert.equal(e.field, camel(c.client.field), e.message);
        assert.equal(e.status, null);
      } else {
        assert.equal(e.code, c.client.code, e.message);
        assert.equal(e.status, 200);
      }
      return true;
    });
  });
}

test('the conf.* events arrive typed, in the state machine order', async () => {
  const { confId } = await client.confCreate({ maxDuration: 600, userData: 'room-7' });
  const a = await member(confId);
  const { callId: busy } = await client.confInviteCall({ confId, to: '13900000001', maxDuration: 600 });
  await waitFor('conf.join.fail', (e) => e.type === 'conf.join.fail' && e.callId === busy);
  assert.equal(await client.confStartRecord({ confId }), true);
  assert.equal(await client.confDismiss({ confId }), true);
  const end = await waitFor('conf.end', (e) => e.type === 'conf.end' && e.id === confId);
  await waitFor('conf.quit', (e) => e.type === 'conf.quit' && e.callId === a);
  const mine = events.filter((e) => e.id === confId);
  assert.equal(mine[0].type, 'conf.create.succ');
  assert.equal(mine[0].userData, 'room-7');
  assert.ok(mine.some((e) => e.type === 'conf.record_end'));
  assert.equal(end.userData, 'room-7');
  assert.ok(end.endTime >= end.beginTime);
  const quit = mine.find((e) => e.type === 'conf.quit');
  assert.equal(quit.quitTime % 1000, 0);
  assert.equal(quit.userData, null);
});

test('examples/node/conference.js runs a conference and downloads its recording', () => {
  const out = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'conf-')), 'recording.wav');
  const r = spawnSync(process.execPath, [path.join(REPO, 'examples', 'node', 'conference.js'), '--out', out], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /downloaded \d+ bytes/);
  const data = fs.readFileSync(out);
  assert.equal(data.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.equal(data.subarray(8, 12).toString('latin1'), 'WAVE');
  assert.equal(data.length, 44 + data.readUInt32LE(40));
});
