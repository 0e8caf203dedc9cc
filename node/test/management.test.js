'use strict';
// Management (sub-accounts and numbers) from Node against the sandbox: every case of
// tests/cases/management.json (valid input and at least one broken rule per field: what the SDK
// refuses before sending, what the platform answers), and a sub-account's life cycle with the
// credentials the API returned.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Client, YunhuniError } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');

const TABLE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'cases', 'management.json'), 'utf8'));

/** snake_case to camelCase, as the binding names fields (`quotas[0].value` unchanged). */
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function substitute(value, sub) {
  if (typeof value === 'string') {
    return value.replaceAll('$SUB', sub).replaceAll('$TELNUM', TABLE.telnum_id).replaceAll('$UNKNOWN', TABLE.unknown_id);
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, sub));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, sub)]));
  }
  return value;
}

let sb;
let client;
before(async () => {
  sb = await Sandbox.start({ timeScale: 200 });
  client = new Client(sb.clientOptions());
});
after(() => sb.close());

for (const c of TABLE.cases) {
  test(c.name, async () => {
    const sub = c.needs === 'sub' ? (await client.subaccountCreate()).id : '';
    const fields = Object.fromEntries(Object.entries(substitute(c.fields, sub)).map(([k, v]) => [camel(k), v]));
    if (c.client.kind === 'ok') {
      const data = await client.request(c.op, fields);
      const want = substitute(c.data, sub);
      if (want !== null && typeof want === 'object') {
        for (const [k, v] of Object.entries(want)) assert.deepEqual(data[k], v, k);
      } else if (want !== undefined) {
        assert.deepEqual(data, want);
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
        assert.equal(e.code, c.client.code);
        assert.equal(e.status, 200);
      }
      return true;
    });
  });
}

test('a sub-account made here signs at once, and is refused once disabled or deleted', async () => {
  const made = await client.subaccountCreate({ remark: 'node', quotas: [{ type: 'CallQuota', value: 30 }] });
  assert.equal(made.enabled, 1);
  assert.deepEqual(made.quotas, [{ type: 'CallQuota', value: 30 }]);
  const sub = new Client({ appId: made.appId, certId: made.certId, secretKey: made.secretKey, baseUrl: sb.baseUrl });
  const call = await sub.notifyCall({ to: '13800000001', playContent: [['hello', 0]] });
  assert.equal(sb.call(call.callId).subaccountId, made.id);

  const refused = async (promise, text) => {
    await assert.rejects(promise, (e) => {
      assert.equal(e.kind, 'auth');
      assert.equal(e.status, 401);
      assert.ok(e.message.includes(text), e.message);
      return true;
    });
  };
  await refused(sub.telnumList(), '不是PRIMARY_ACCOUNT');
  assert.equal((await client.subaccountUpdate({ subaccountId: made.id, enabled: 0 })).enabled, 0);
  await refused(sub.notifyCall({ to: '13800000001', playContent: [['hello', 0]] }), '子账号被禁用');
  await client.subaccountUpdate({ subaccountId: made.id, enabled: 1 });
  await sub.notifyCall({ to: '13800000001', playContent: [['hello', 0]] });
  assert.equal(await client.subaccountDelete({ subaccountId: made.id }), true);
  await refused(sub.notifyCall({ to: '13800000001', playContent: [['hello', 0]] }), 'Bad credentials');
});

test('numbers bind and unbind', async () => {
  const { result } = await client.telnumList({ pageSize: 1000 });
  assert.deepEqual(result.map((n) => n.telnum), ['02088880002', '02088880001', '02088880000']);
  const number = result.find((n) => n.telnum === '02088880000');
  const sub = (await client.subaccountCreate()).id;
  assert.equal(await client.telnumBind({ telnumId: number.id, subaccountId: sub }), true);
  const bound = async () => (await client.telnumList()).result.find((n) => n.id === number.id).subaccountId;
  assert.equal(await bound(), sub);
  assert.equal(await client.telnumUnbind({ telnumId: number.id, subaccountId: sub }), true);
  assert.equal(await bound(), null);
});
