'use strict';
// Every operation of the client against the in-process sandbox, and the sandbox's own API.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Client, PlayType, parseEvent, YunhuniError, lookupCode, version } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');
const { httpServer, rejectsWith } = require('./helpers.js');

const CALL_ID = /^[0-9a-f]{32}$/;

test.describe('client against the sandbox', () => {
  let sb;
  let client;

  test.before(async () => {
    sb = await Sandbox.start({ timeScale: 200 });
    client = new Client(sb.clientOptions());
  });
  test.after(() => sb.close());

  test('duoCallback places a callback; its end event parses', async () => {
    const placed = await client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 600, userData: 'order-42' });
    assert.match(placed.callId, CALL_ID);
    assert.equal(placed.userData, 'order-42');
    const info = sb.call(placed.callId);
    assert.equal(info.kind, 'duo_callback');
    assert.deepEqual(info.numbers, ['13800000001', '13800000002']);
    const body = await sb.waitForEnd(placed.callId, { timeoutMs: 10000 });
    assert.ok(Buffer.isBuffer(body));
    const ev = parseEvent(body);
    assert.equal(ev.event, 'duo_callback.end');
    assert.equal(ev.id, placed.callId);
    assert.equal(ev.outcome, 'connected');
    assert.equal(ev.userData, 'order-42');
    assert.equal(ev.talkSeconds, 5);
    assert.equal(ev.hangupBy, 2);
  });

  test('duoCallback with every option', async () => {
    const placed = await client.duoCallback({
      to1: '13800000011', to2: '13800000012', maxCallDuration: 60, from1: '02000000001', from2: '02000000002',
      ringTone: 'ring.wav', ringToneMode: 2, maxDialDuration: 30, recording: false, recordMode: 0, userData: null,
    });
    assert.match(placed.callId, CALL_ID);
    assert.equal(placed.userData, null);
  });

  test('outcomes of the reserved numbers', async () => {
    const cases = [
      ['13900000001', 'party1_not_reached'],
      ['13900000009', 'platform_failure'],
    ];
    for (const [to1, outcome] of cases) {
      const { callId } = await client.duoCallback({ to1, to2: '13800000002', maxCallDuration: 60 });
      assert.equal(parseEvent(await sb.waitForEnd(callId, 10000)).outcome, outcome, to1);
    }
    const { callId } = await client.duoCallback({ to1: '13800000001', to2: '13900000001', maxCallDuration: 60 });
    assert.equal(parseEvent(await sb.waitForEnd(callId)).outcome, 'party2_not_reached');
  });

  test('scenario setters script a number', async () => {
    sb.setBehavior('13800000077', { answer: 'after', ms: 1000, hangupAfterMs: 20000 });
    assert.deepEqual(sb.behavior('13800000077'), { answer: 'after', ms: 1000, hangupAfterMs: 20000 });
    const { callId } = await client.duoCallback({ to1: '13800000001', to2: '13800000077', maxCallDuration: 600 });
    const ev = parseEvent(await sb.waitForEnd(callId));
    assert.equal(ev.outcome, 'connected');
    assert.equal(ev.talkSeconds, 5); // party 1 hangs up first, by default after 5 s
    sb.setBehavior('13800000078', { answer: 'unreachable' });
    const second = await client.duoCallback({ to1: '13800000078', to2: '13800000001', maxCallDuration: 600 });
    assert.equal(parseEvent(await sb.waitForEnd(second.callId)).outcome, 'party1_not_reached');
    sb.clearBehavior('13800000078');
    assert.deepEqual(sb.behavior('13800000078'), { answer: 'after', ms: 2000, hangupAfterMs: 5000 });
    assert.throws(() => sb.setBehavior('1', { answer: 'after' }), (e) => e instanceof YunhuniError && e.field === 'behavior');
    assert.deepEqual(Sandbox.reservedNumbers['13900000001'], { answer: 'busy', hangupAfterMs: null });
  });

  test('cancelDuoCallback cancels a ringing callback', async () => {
    const { callId } = await client.duoCallback({ to1: '13900000002', to2: '13800000002', maxCallDuration: 60, maxDialDuration: 300 });
    // The platform refuses a cancel until the switch confirmed the call (000004); retry briefly.
    let result;
    for (let i = 0; i < 50; i += 1) {
      try {
        result = await client.cancelDuoCallback(callId);
        break;
      } catch (err) {
        if (!(err instanceof YunhuniError && err.code === '000004')) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.equal(result, undefined);
    const ev = parseEvent(await sb.waitForEnd(callId));
    assert.equal(ev.outcome, 'party1_not_reached');
  });

  test('notifyCall with a file and dynamic content', async () => {
    const placed = await client.notifyCall({
      to: '13800000003',
      playFile: 'welcome.wav',
      playContent: [
        { content: '3245.24', playType: PlayType.AMOUNT },
        { content: '2020-05-09 14:30', playType: PlayType.DATE_TIME, options: '' },
      ],
      repeat: 1,
      maxDialDuration: 30,
      userData: 'notify-1',
    });
    assert.match(placed.callId, CALL_ID);
    assert.equal(placed.userData, 'notify-1');
    const ev = parseEvent(await sb.waitForEnd(placed.callId));
    assert.equal(ev.event, 'notify_call.end');
    assert.equal(ev.userData, 'notify-1');
    assert.equal(ev.id, placed.callId);
  });

  test('verifyCall reads a code', async () => {
    const placed = await client.verifyCall({ to: '13800000004', verifyCode: '759345', repeat: 1, userData: 'v-1' });
    assert.match(placed.callId, CALL_ID);
    assert.equal(placed.userData, null);
    const ev = parseEvent(await sb.waitForEnd(placed.callId));
    assert.ok(['notify_call.end', 'verify_call.end'].includes(ev.event), ev.event);
    assert.equal(ev.id, placed.callId);
  });

  test('Client.fromEnv reads YUNHUNI_* and takes settings', async (t) => {
    const saved = { ...process.env };
    t.after(() => {
      for (const k of Object.keys(process.env)) if (k.startsWith('YUNHUNI_')) delete process.env[k];
      Object.assign(process.env, saved);
    });
    process.env.YUNHUNI_APP_ID = sb.appId;
    process.env.YUNHUNI_CERT_ID = sb.certId;
    process.env.YUNHUNI_SECRET_KEY = sb.secretKey;
    process.env.YUNHUNI_BASE_URL = sb.baseUrl;
    const fromEnv = Client.fromEnv({ timeoutMs: 10000, userAgent: 'node-tests/1' });
    assert.equal(fromEnv.appId, sb.appId);
    assert.equal(fromEnv.apiRoot, `${sb.baseUrl}/v1/account/${sb.accountId}/`);
    const { callId } = await fromEnv.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60 });
    assert.match(callId, CALL_ID);
    delete process.env.YUNHUNI_SECRET_KEY;
    assert.throws(() => Client.fromEnv(), (e) => e instanceof YunhuniError && e.kind === 'validation' && e.field === 'YUNHUNI_SECRET_KEY');
  });

  test('a sub-account places calls with its own credentials', async () => {
    const sub = sb.subAccount;
    const subClient = new Client(sb.clientOptions({ certId: sub.certId, secretKey: sub.secretKey, accountId: sb.accountId }));
    const { callId } = await subClient.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60 });
    assert.equal(parseEvent(await sb.waitForEnd(callId)).subaccountId, sub.id);
  });
});

test('webhooks reach a node:http receiver byte for byte', async () => {
  const received = [];
  const hook = await httpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks));
      res.writeHead(200).end();
    });
  });
  const sb = await Sandbox.start({ timeScale: 200, callbackUrl: `${hook.url}/hook` });
  try {
    assert.equal(sb.callbackUrl, `${hook.url}/hook`);
    const client = new Client(sb.clientOptions());
    const { callId } = await client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60, userData: '订单-42' });
    const delivery = await sb.waitForDelivery(callId);
    assert.equal(delivery.delivered, true);
    assert.equal(delivery.charset, 'ISO-8859-1');
    assert.equal(received.length, 1);
    assert.equal(received[0].toString('hex'), delivery.bodyHex);
    const ev = parseEvent(received[0]);
    assert.equal(ev.userData, '??-42'); // the platform's ISO-8859-1 encoding, faithfully
    assert.equal(sb.webhooks(callId).length, 1);
    assert.equal(sb.webhooks(callId)[0].status, 200);
    assert.ok(sb.calls().some((c) => c.id === callId && c.endEventDelivered));
    sb.setCallbackUrl(null);
    assert.equal(sb.callbackUrl, null);
  } finally {
    await sb.close();
    await hook.close();
  }
});

test('sandbox: waitForEnd times out for an unknown call; bad options are validation errors', async () => {
  const sb = await Sandbox.start();
  try {
    await rejectsWith(sb.waitForEnd('0'.repeat(32), { timeoutMs: 50 }), 'timeout', YunhuniError);
  } finally {
    await sb.close();
  }
  await rejectsWith(Sandbox.start({ timeScale: 0 }), 'validation', YunhuniError);
  await rejectsWith(Sandbox.start({ timescale: 2 }), 'validation', YunhuniError);
  assert.throws(() => new Sandbox({}), TypeError);
});

test('lookupCode and version', () => {
  assert.equal(lookupCode('020000').name, 'CallNotExists');
  assert.equal(lookupCode('999999'), null);
  assert.match(version, /^\d+\.\d+\.\d+/);
});

test('sandbox: business errors are scriptable per app and per number', async () => {
  const sandbox = await Sandbox.start({
    timeScale: 100,
    appSettings: { online: false, testNumbers: ['13800000001', '13800000002'] },
    confirmDelayMs: 60000,
  });
  try {
    const client = new Client(sandbox.clientOptions());
    assert.equal(sandbox.appSettings().online, false);
    const code = async (promise) => {
      const err = await promise.then(() => null, (e) => e);
      assert.ok(err instanceof YunhuniError, String(err));
      return err.code;
    };
    // An app that is not online may call only its test numbers.
    assert.equal(await code(client.duoCallback({ to1: '13800000001', to2: '13900000003', maxCallDuration: 60 })), '020001');
    const { callId } = await client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60 });
    // The switch has not confirmed the call yet.
    assert.equal(await code(client.cancelDuoCallback(callId)), '000004');
    sandbox.setAppSettings({ balanceExhausted: true });
    assert.equal(await code(client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60 })), '010003');
    sandbox.setAppSettings({});
    sandbox.setBehavior('13800000009', { code: '020002' });
    assert.equal(sandbox.behavior('13800000009').code, '020002');
    assert.equal(await code(client.duoCallback({ to1: '13800000001', to2: '13800000009', maxCallDuration: 60 })), '020002');
    assert.throws(() => sandbox.setAppSettings({ code: '999999' }), (e) => e.kind === 'validation' && e.field === 'appSettings');
    assert.throws(() => sandbox.setAppSettings({}, 'nope'), (e) => e.kind === 'validation');
    assert.equal(sandbox.appSettings('nope'), null);
  } finally {
    await sandbox.close();
  }
});
