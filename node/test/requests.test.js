'use strict';
// The shared request vectors (tests/vectors/requests.json) through `client.request(name,
// fields)` against a loopback stub: the method, path, query and body of every request it
// sends, and the field of every request it refuses before sending anything. Then the typed
// methods of ops.js (a sample per family), answers as the server sends them, and fields of the
// wrong type or unknown refused naming the field.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Client, YunhuniError } = require('yunhuni');
const { loadVectors, recordingStub, rejectsWith } = require('./helpers.js');

const cases = loadVectors('requests.json');

const CALL_ID = '0123456789abcdef0123456789abcdef';
const CERT_ID = 'vector-cert';
const ROOT = `/v1/account/${CERT_ID}/`;

/** A name of the declarations (`max_call_duration`) as Node spells it (`maxCallDuration`), like core's `Casing::Camel`. */
function camel(name) {
  return name.replace(/_+(.)/g, (_, c) => c.toUpperCase()).replace(/_+$/, '');
}

/** The vector's snake_case params in camelCase, keys of nested objects too (records); lists kept as lists. */
function camelParams(value) {
  if (Array.isArray(value)) return value.map(camelParams);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), camelParams(v)]));
}

/** A field path of the vectors (`skills[0].max_score`) as the binding reports it (`skills[0].maxScore`). */
function jsField(path) {
  return path.replace(/[A-Za-z0-9_]+/g, camel);
}

test.describe('request vectors through client.request against a stub server', () => {
  let stub;
  let client;

  test.before(async () => {
    stub = await recordingStub();
    // A cancel answers `data: null` as the server does; every other operation a placed call.
    stub.answerWith((got) => (got.path.endsWith('/call/duo_callback_cancel') ? null : { callId: CALL_ID, user_data: null }));
    client = new Client({ appId: 'vector-app', certId: CERT_ID, secretKey: 'vector-secret', baseUrl: stub.url });
  });
  test.after(() => stub.close());

  test('the vectors have both outcomes', () => {
    assert.ok(cases.length >= 60, `${cases.length} cases`);
    assert.ok(cases.some((c) => 'body' in c.expect));
    assert.ok(cases.some((c) => c.expect.error === 'validation'));
    for (const c of cases) assert.ok('body' in c.expect || c.expect.error === 'validation', `${c.name}: unknown expect`);
  });

  for (const c of cases) {
    test(`${c.operation}: ${c.name}`, async () => {
      const before = stub.received.length;
      const promise = client.request(c.operation, camelParams(c.params));
      assert.ok(promise instanceof Promise, 'a Promise');
      if ('body' in c.expect) {
        const result = await promise;
        assert.equal(stub.received.length, before + 1, 'exactly one request');
        const got = stub.received[before];
        assert.ok(got.path.startsWith(ROOT), got.path);
        if ('method' in c.expect) assert.equal(got.method, c.expect.method);
        else assert.equal(got.method, 'POST');
        if ('path' in c.expect) assert.equal(got.path, ROOT + c.expect.path);
        if ('query' in c.expect) assert.equal(got.query, c.expect.query);
        if (c.expect.body === null) assert.equal(got.body.length, 0, 'no body');
        else assert.equal(got.body.toString('utf8'), c.expect.body);
        if (got.path.endsWith('/call/duo_callback_cancel')) assert.equal(result, undefined);
      } else {
        const err = await rejectsWith(promise, 'validation', YunhuniError);
        assert.equal(err.field, jsField(c.expect.field), err.message);
        assert.equal(stub.received.length, before, 'nothing sent');
      }
    });
  }

  test('the stub received one request per body case and nothing else', () => {
    assert.equal(stub.received.length, cases.filter((c) => 'body' in c.expect).length);
  });
});

test.describe('typed methods (ops.js) against a stub server', () => {
  let stub;
  let client;

  test.before(async () => {
    stub = await recordingStub();
    client = new Client({ appId: 'typed-app', certId: CERT_ID, secretKey: 'typed-secret', baseUrl: stub.url });
  });
  test.after(() => stub.close());

  /** Calls `fn`, expects one request, and returns it with the answer. */
  async function one(fn, data) {
    stub.answerWith(() => data);
    const before = stub.received.length;
    const result = await fn();
    assert.equal(stub.received.length, before + 1, 'exactly one request');
    const got = stub.received[before];
    return { got, result, body: got.body.length ? JSON.parse(got.body) : null, path: got.path.slice(ROOT.length) };
  }

  test('simple calls resolve to { callId, userData } (the server sends user_data)', async () => {
    const { got, result, body } = await one(
      () => client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60, userData: 'u1' }),
      { callId: CALL_ID, user_data: 'u1' },
    );
    assert.equal(got.method, 'POST');
    assert.deepEqual(body, { to1: '13800000001', to2: '13800000002', max_call_duration: 60, user_data: 'u1' });
    assert.deepEqual(result, { callId: CALL_ID, userData: 'u1' });
    const notify = await one(
      () => client.notifyCall({ to: '13800000001', playContent: [{ content: '1234', playType: 1 }, ['hello.wav', 0, '']] }),
      { callId: CALL_ID },
    );
    assert.deepEqual(notify.body.play_content, [['1234', 1, ''], ['hello.wav', 0, '']]);
    assert.deepEqual(notify.result, { callId: CALL_ID, userData: null });
    const cancel = await one(() => client.cancelDuoCallback(CALL_ID), null);
    assert.equal(cancel.path, 'call/duo_callback_cancel');
    assert.deepEqual(cancel.body, { callId: CALL_ID });
    assert.equal(cancel.result, undefined);
    const same = await one(() => client.duoCallbackCancel({ callId: CALL_ID }), null);
    assert.deepEqual(same.body, cancel.body);
  });

  test('ivr and conference: body keys as the server reads them, answers with its keys', async () => {
    const ivr = await one(() => client.ivrCall({ to: '13800000001', maxCallDuration: 120 }), { callId: CALL_ID, user_data: null });
    assert.equal(ivr.path, 'call/ivr_call');
    assert.deepEqual(ivr.result, { callId: CALL_ID, userData: null });
    const conf = await one(() => client.confCreate({ maxDuration: 600, maxParts: 5, recording: true }), { confId: 'conf-1' });
    assert.equal(conf.path, 'conf/create');
    assert.deepEqual(conf.body, { max_duration: 600, max_parts: 5, recording: true });
    assert.deepEqual(conf.result, { confId: 'conf-1' });
    const play = await one(() => client.confStartPlay({ confId: 'conf-1', files: ['a.wav', 'b.wav'] }), true);
    assert.equal(play.path, 'conf/start_play/conf-1');
    assert.deepEqual(play.body, { files: ['a.wav', 'b.wav'] });
    assert.equal(play.result, true);
  });

  test('call center: GET with a query, records in camelCase, pages as the server sends them', async () => {
    const page = { pageSize: 2, startIndex: 0, totalCount: 1, totalPageCount: 1, currentPageNo: 1, result: [{ id: 'e1', type: '1', user: 'u', password: null, ipaddr: null, telnum: null, enable: true }] };
    const list = await one(() => client.extList({ pageNo: 1, pageSize: 2 }), page);
    assert.equal(list.got.method, 'GET');
    assert.equal(list.path, 'callcenter/extension');
    assert.equal(list.got.query, 'pageNo=1&pageSize=2');
    assert.equal(list.body, null);
    assert.deepEqual(list.result, page);
    const login = await one(
      () => client.agentLogin({ name: 'alice', extension: 'e1', skills: [{ name: 'sales', score: 50, enabled: true }] }),
      null,
    );
    assert.deepEqual(login.body.skills, [{ name: 'sales', score: 50, enabled: true }]);
    assert.equal(login.result, undefined);
    const conversations = [{ id: 'c1', type: 'queue', subaccount_id: null, members: [{ call_id: 'x', begin_time: 1 }] }];
    const listed = await one(() => client.agentConversations({ agentName: 'alice' }), conversations);
    assert.deepEqual(listed.result, conversations, 'the server keys, snake_case included');
  });

  test('sub-accounts, numbers, messages and recordings', async () => {
    const created = await one(
      () => client.subaccountCreate({ quotas: [{ type: 'CallQuota', value: 60 }] }),
      { id: 's1', appId: 'a', parentId: 'p', certId: 'c', secretKey: 'k', quotas: [{ type: 'CallQuota', value: 60 }] },
    );
    assert.deepEqual(created.body.quotas, [{ type: 'CallQuota', value: 60 }]);
    assert.equal(created.result.secretKey, 'k');
    const numbers = await one(() => client.telnumList(), { pageSize: 20, startIndex: 0, totalCount: 0, totalPageCount: 0, currentPageNo: 1, result: [] });
    assert.equal(numbers.got.method, 'GET');
    assert.deepEqual(numbers.result.result, []);
    const sms = await one(() => client.smsSend({ mobile: '13800000001', tempId: 't1' }), { msgKey: 'm1', state: 1 });
    assert.deepEqual(sms.result, { msgKey: 'm1', state: 1 });
    const url = await one(() => client.recordingUrlGen({ id: 'r1' }), { state: 0, url: null });
    assert.deepEqual(url.result, { state: 0, url: null });
  });

  test('every generated method calls request with its operation name', async () => {
    const ops = require('../ops.js');
    const seen = [];
    const spy = Object.create(Client.prototype, { request: { value: (name, fields) => { seen.push([name, fields]); return Promise.resolve(); } } });
    const fields = { marker: 1 };
    for (const [method, fn] of Object.entries(ops)) {
      if (method === 'cancelDuoCallback') continue;
      await fn.call(spy, fields);
      const [name, passed] = seen.pop();
      assert.equal(camel(name), method, `${method} calls request('${name}')`);
      assert.equal(passed, fields);
      assert.equal(Client.prototype[method], fn, `${method} is a method of Client`);
    }
    assert.ok(Object.keys(ops).length >= 74, `${Object.keys(ops).length} methods`);
  });

  test('wrong types and unknown fields are refused naming the field, before anything is sent', async () => {
    const before = stub.received.length;
    const cases = [
      [() => client.confCreate({ maxDuration: '600' }), 'maxDuration'],
      [() => client.confCreate({ maxDuration: 1.5 }), 'maxDuration'],
      [() => client.confCreate({ maxDuration: NaN }), 'maxDuration'],
      [() => client.confCreate({ maxDuration: Infinity }), 'maxDuration'],
      [() => client.confCreate({ maxDuration: 2 ** 40 }), 'maxDuration'],
      [() => client.confCreate({ maxDuration: 60, recording: 'yes' }), 'recording'],
      [() => client.confCreate({ maxDuration: 60, max_parts: 3 }), 'max_parts'],
      [() => client.confCreate({ maxDuration: 60, maxPart: 3 }), 'maxPart'],
      [() => client.confCreate({ maxDuration: 60, bgmFile: Symbol('x') }), 'bgmFile'],
      [() => client.confCreate({ maxDuration: 60, userData: () => 'x' }), 'userData'],
      [() => client.confCreate({}), 'maxDuration'],
      [() => client.confCreate(), 'maxDuration'],
      [() => client.confCreate('maxDuration=60'), 'fields'],
      [() => client.confStartPlay({ confId: 'c', files: 'a.wav' }), 'files'],
      [() => client.confStartPlay({ confId: 'c', files: ['a.wav', 7] }), 'files[1]'],
      [() => client.agentLogin({ name: 'a', extension: 'e', skills: [{ name: 's', scor: 1 }] }), 'skills[0].scor'],
      [() => client.agentLogin({ name: 'a', extension: 'e', skills: [{ name: 's', score: '1' }] }), 'skills[0].score'],
      [() => client.notifyCall({ to: '1', playContent: [{ content: 'x', type: 0 }] }), 'playContent[0].type'],
      [() => client.notifyCall({ to: '1', playContent: [{ content: 'x' }] }), 'playContent[0].playType'],
      [() => client.request('conf_create', { maxDuration: 60, colour: 'red' }), 'colour'],
      [() => client.request('no_such_operation', {}), 'operation'],
      [() => client.request(42, {}), 'operation'],
    ];
    for (const [call, field] of cases) {
      const err = await rejectsWith(call(), 'validation', YunhuniError);
      assert.equal(err.field, field, `${field}: ${err.message}`);
      assert.ok(err.message.startsWith(`${field}: `), err.message);
    }
    const cyclic = { maxDuration: 60 };
    cyclic.userData = { self: cyclic };
    cyclic.userData.self = cyclic.userData;
    const deep = await rejectsWith(client.confCreate(cyclic), 'validation', YunhuniError);
    assert.match(deep.field, /^userData(\.self)+$/);
    assert.equal(stub.received.length, before, 'nothing was sent');
  });

  test('a missing operation name is refused as missing, not as the name ""', async () => {
    for (const call of [() => client.request(), () => client.request(undefined, {}), () => client.request(null)]) {
      const err = await rejectsWith(call(), 'validation', YunhuniError);
      assert.equal(err.field, 'operation');
      assert.match(err.message, /^operation: is required/);
    }
  });

  test('undefined and null mean "not given"', async () => {
    const { body } = await one(() => client.confCreate({ maxDuration: 60, maxParts: undefined, bgmFile: null }), { confId: 'c' });
    assert.deepEqual(body, { max_duration: 60 });
  });
});

test('api errors carry kind, code, status, field and platformMessage as properties', async () => {
  const stub = await recordingStub();
  try {
    stub.replyWith({ code: '030500', msg: '两个号码不能相同', data: null });
    const client = new Client({ appId: 'a', certId: CERT_ID, secretKey: 's', baseUrl: stub.url });
    const err = await rejectsWith(client.confCreate({ maxDuration: 60 }), 'api', YunhuniError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'YunhuniError');
    for (const key of ['kind', 'code', 'status', 'field', 'platformMessage']) {
      assert.ok(Object.prototype.hasOwnProperty.call(err, key), `own property ${key}`);
    }
    assert.equal(err.code, '030500');
    assert.equal(err.status, 200);
    assert.equal(err.field, null);
    assert.equal(err.platformMessage, '两个号码不能相同');
    // Core's message, as it is: no marker, no JSON.
    assert.match(err.message, /^platform returned 030500 两个号码不能相同: /);
    assert.ok(!/[\u0001{]/.test(err.message), err.message);
    assert.match(err.stack, /^YunhuniError: platform returned 030500/);

    const validation = await rejectsWith(client.confCreate({ maxDuration: 0 }), 'validation', YunhuniError);
    assert.equal(validation.field, 'maxDuration');
    assert.equal(validation.code, null);
    assert.equal(validation.status, null);
    assert.equal(validation.platformMessage, null);
  } finally {
    await stub.close();
  }
});

test('a Map or Set of fields is refused, not read as empty', async () => {
  const client = new Client({ appId: 'a', certId: 'c', secretKey: 's', baseUrl: 'http://127.0.0.1:9' });
  for (const fields of [new Map([['pageNo', 2]]), new Set(['pageNo'])]) {
    const err = await client.extList(fields).then(() => null, (e) => e);
    assert.ok(err instanceof YunhuniError, String(err));
    assert.equal(err.kind, 'validation');
    assert.equal(err.field, 'fields');
  }
});
