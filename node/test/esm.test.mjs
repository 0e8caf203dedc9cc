// The package as an ES module: named and default imports, the same objects as require().
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import yunhuni, { Client, YunhuniError, parseEvent, sign, stringToSign, lookupCode, PlayType, version } from 'yunhuni';
import testing, { Sandbox } from 'yunhuni/testing';

const require = createRequire(import.meta.url);

test('ESM entry points expose the CommonJS objects', () => {
  const cjs = require('yunhuni');
  assert.equal(Client, cjs.Client);
  assert.equal(YunhuniError, cjs.YunhuniError);
  assert.equal(yunhuni, cjs);
  assert.equal(Sandbox, require('yunhuni/testing').Sandbox);
  assert.equal(testing.Sandbox, Sandbox);
  for (const fn of [parseEvent, sign, stringToSign, lookupCode]) assert.equal(typeof fn, 'function');
  assert.equal(PlayType.DIGITS, 1);
  assert.equal(typeof version, 'string');
});

test('a callback from an ES module', async () => {
  const sb = await Sandbox.start({ timeScale: 200 });
  try {
    const client = new Client(sb.clientOptions());
    const { callId } = await client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60 });
    assert.equal(parseEvent(await sb.waitForEnd(callId)).outcome, 'connected');
    await assert.rejects(client.duoCallback({ to1: 'x', to2: 'x', maxCallDuration: 60 }), (e) => e instanceof YunhuniError && e.kind === 'validation');
  } finally {
    await sb.close();
  }
});
