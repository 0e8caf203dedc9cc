'use strict';
// Messaging from Node against the sandbox, as a new user would: a template audited by a script
// of the testing Sandbox, an SMS and a mass task sent through the SDK, and their msg.* events
// arriving typed at a real HTTP receiver (camelCase keys as the server sends them, the event's
// own `type` as `kind`, integers as numbers).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Client, YunhuniError, parseEvent } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');
const { httpServer } = require('./helpers.js');

let sb;
let client;
let receiver;
const events = [];

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
  client = new Client(sb.clientOptions());
});
after(async () => {
  await sb.close();
  await receiver.close();
});

test('a template audited by a script, and its msg.template_complete', async () => {
  sb.setTemplateAudit({ rule: 'manual' });
  assert.deepEqual(sb.templateAudit(), { rule: 'manual' });
  try {
    const t = await client.templateCreate({ name: '验证码', content: '您的验证码是#*#', remark: '登录' });
    assert.equal(t.status, 0);
    assert.equal(sb.template(t.tempId).status, 0);
    sb.auditTemplate(t.tempId, true);
    const ev = await waitFor('msg.template_complete', (e) => e.type === 'msg.template_complete' && e.tempId === t.tempId);
    assert.equal(ev.status, 1);
    assert.equal(ev.reason, null);
    assert.equal(ev.checkTime, (await client.templateGet({ tempId: t.tempId })).checkTime);
    assert.throws(() => sb.auditTemplate(t.tempId, false, 'again'), (e) => e instanceof YunhuniError && e.field === 'tempId');
    assert.throws(() => sb.auditTemplate(t.tempId, 'yes'), (e) => e instanceof YunhuniError && e.field === 'approve');
    assert.throws(() => sb.setTemplateAudit({ rule: 'often' }), (e) => e instanceof YunhuniError && e.field === 'templateAudit');
    sb.setTemplateAudit({ rule: 'reject', afterMs: 1000, reason: 'no' });
    const r = await client.templateCreate({ name: 'n', content: 'c', remark: 'r' });
    const rejected = await waitFor('the rejection', (e) => e.type === 'msg.template_complete' && e.tempId === r.tempId);
    assert.deepEqual([rejected.status, rejected.reason], [-1, 'no']);
    assert.equal(sb.template(r.tempId).events.length, 1);
    assert.equal(sb.template('424242'), null);
  } finally {
    sb.setTemplateAudit({ rule: 'approve', afterMs: 10000 });
  }
});

test('an SMS and a mass task, and their msg.sending_complete', async () => {
  sb.setMobileOutcome('13300000009', 'undelivered');
  assert.throws(() => sb.setMobileOutcome('13300000009', 'lost'), (e) => e instanceof YunhuniError && e.field === 'outcome');
  const sent = await client.smsSend({ mobile: '13000000001', tempId: '1001', tempArgs: '1234' });
  assert.equal(sent.state, 1);
  const ev = await waitFor('msg.sending_complete', (e) => e.type === 'msg.sending_complete' && e.msgKey === sent.msgKey);
  assert.deepEqual([ev.state, ev.kind, ev.failMobiles], [1, 0, null]);
  assert.equal((await client.smsGet({ msgKey: sent.msgKey })).state, 1);
  assert.equal(sb.msgRequest(sent.msgKey).state, 1);

  const task = await client.smsMassTask({ taskName: 't', tempId: '1001', tempArgs: '9', mobiles: '13000000001,13300000009,13800000003' });
  assert.deepEqual(task.invalidMobiles, ['13800000003']);
  const mass = await waitFor('the task', (e) => e.type === 'msg.sending_complete' && e.msgKey === task.msgKey);
  assert.deepEqual([mass.state, mass.kind, mass.failMobiles], [1, 1, '13300000009']);

  await assert.rejects(client.ussdSend({ mobile: '13000000001', tempId: '1001', tempArgs: '1234' }),
    (e) => e instanceof YunhuniError && e.kind === 'api' && e.code === '050108');
  await assert.rejects(client.smsSend({ mobile: '1300000000', tempId: '1001' }),
    (e) => e instanceof YunhuniError && e.kind === 'validation' && e.field === 'mobile');
});
