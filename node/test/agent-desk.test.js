'use strict';
// examples/node/agent_desk.js run as a user runs it (its own node process on node:http) against
// the sandbox, whose callback URL is the desk's. Agents log in through the desk, callers dial the
// app's number and are queued by the desk's <enqueue>; the test watches GET /desk and checks what
// the desk did against the sandbox's own state (agentGet, conversationGet).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
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

const TOKEN = 'desk-test-token';
const APP_NUMBER = '02088880000';
const [ALICE, BOB] = ['13800002001', '13800002002'];
const [CALLER_A, CALLER_B, CALLER_C] = ['13600002001', '13600002002', '13600002003'];
// Simulated time runs 10x: a 60 s queue timeout is 6 s, long enough for every step that must
// happen before it, whatever the machine's load.
const SCALE = 10;

let sb;
let desk;
let base;
let output = '';
const client = () => new Client(sb.clientOptions());

before(async () => {
  sb = await Sandbox.start({ timeScale: SCALE });
  // The agents' phones answer after a second of ringing and stay on until hung up; Bob's rings
  // for as long as the platform lets it. The callers stay on the line; C answers the call back.
  sb.setBehavior(ALICE, { answer: 'after', ms: 1000 });
  sb.setBehavior(BOB, { answer: 'no_answer' });
  for (const caller of [CALLER_A, CALLER_B, CALLER_C]) sb.setBehavior(caller, { answer: 'after', ms: 1000 });
  desk = spawn(process.execPath, [path.join(EXAMPLES, 'agent_desk.js')], {
    env: {
      ...process.env, PORT: '0', WEBHOOK_TOKEN: TOKEN, DESK_QUEUE_TIMEOUT: '60', DESK_FETCH_TIMEOUT: '60',
      YUNHUNI_APP_ID: sb.appId, YUNHUNI_CERT_ID: sb.certId, YUNHUNI_SECRET_KEY: sb.secretKey, YUNHUNI_BASE_URL: sb.baseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  desk.stderr.on('data', (chunk) => { output += chunk; });
  const lines = readline.createInterface({ input: desk.stdout });
  base = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      output += `${line}\n`;
      const m = line.match(/^desk on (http:\/\/\S+)\/desk$/);
      if (m) resolve(m[1]);
    });
    desk.on('exit', (code) => reject(new Error(`the desk exited with ${code}:\n${output}`)));
  });
  sb.setCallbackUrl(`${base}/yunhuni/events?token=${TOKEN}`);
});

after(async () => {
  desk?.kill();
  await sb?.close();
});

async function request(method, urlPath, body) {
  const r = await fetch(base + urlPath, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

const view = async () => (await request('GET', '/desk')).body;
const agent = (v, name) => v.agents.find((a) => a.name === name);
const waiting = (v, caller) => v.waiting.find((w) => w.caller === caller);

/** Polls GET /desk until `check` returns something true; returns it. */
async function until(what, check) {
  const deadline = Date.now() + 30000;
  let v;
  while (Date.now() < deadline) {
    v = await view();
    const found = check(v);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what}: not seen in 30 s; the desk shows ${JSON.stringify(v)}\n${output}`);
}

test('the desk routes callers, puts away an agent who rejects, and calls back a caller who waited too long', async () => {
  const api = client();

  // Alice logs in; caller A is queued and reaches her.
  assert.equal((await request('POST', '/agents', { name: 'alice', phone: ALICE })).status, 200);
  const callA = sb.inboundCall(CALLER_A, APP_NUMBER);
  const convA = await until('Alice talks to A', (v) => agent(v, 'alice').customer === CALLER_A && agent(v, 'alice').conversation);
  await until('Alice talking', (v) => agent(v, 'alice').state === 'talking');
  assert.equal((await api.agentGet({ agentName: 'alice' })).state, 'talking');
  const conversation = await api.conversationGet({ conversationId: convA });
  assert.equal(conversation.type, 'queue');
  assert.deepEqual(conversation.members.filter((m) => m.name).map((m) => m.name), ['alice']);
  assert.ok(conversation.members.some((m) => m.call_id === callA), JSON.stringify(conversation));

  // Caller B waits: nobody is free.
  const callB = sb.inboundCall(CALLER_B, APP_NUMBER);
  const first = await until('B waiting', (v) => waiting(v, CALLER_B));
  assert.equal(first.try, 1);
  assert.equal(first.state, 'waiting');

  // Bob logs in and is offered B at once (he is idle, B waits); he rejects it from his screen.
  await request('POST', '/agents', { name: 'bob', phone: BOB });
  await until("Bob's phone rings for B", (v) => waiting(v, CALLER_B)?.agent === 'bob');
  assert.deepEqual((await request('POST', '/agents/bob/reject', {})).body, { rejected: true });
  // The desk put Bob away (the platform no longer offers him callers) and queued B again.
  const retry = await until('B queued again', (v) => waiting(v, CALLER_B)?.try === 2 && agent(v, 'bob').state === 'away'
    && agent(v, 'bob').missed === 1 && waiting(v, CALLER_B));
  assert.equal(retry.state, 'waiting');
  assert.equal((await api.agentGet({ agentName: 'bob' })).state, 'away');

  // Alice hangs up on A: the platform gives her B; A's IVR says goodbye.
  assert.deepEqual((await request('POST', `/conversations/${convA}/hangup`, {})).body, { ok: true });
  const convB = await until('Alice talks to B', (v) => agent(v, 'alice').customer === CALLER_B && agent(v, 'alice').conversation);
  assert.notEqual(convB, convA);
  assert.equal((await sb.waitForDelivery(callA, 30000)).event, 'ivr.call_end');
  assert.ok((await api.conversationGet({ conversationId: convA })).end_time);

  // Caller C waits the whole queue timeout (Alice busy, Bob away): promised a call back.
  const callC = sb.inboundCall(CALLER_C, APP_NUMBER);
  await until('C waiting', (v) => waiting(v, CALLER_C));
  const promised = await until('a call back for C', (v) => v.callbacks.find((c) => c.number === CALLER_C));
  assert.equal(promised.state, 'pending');
  assert.equal((await sb.waitForDelivery(callC, 30000)).event, 'ivr.call_end');
  const last = sb.ivrRequests(callC).at(-1);
  assert.match(last.url, /error=timeout/);
  assert.match(last.reply, /we-will-call-you-back\.wav/);

  // Alice hangs up on B: nobody waits, so the desk has her call C back.
  await request('POST', `/conversations/${convB}/hangup`, {});
  const back = await until('Alice calls C back', (v) => v.callbacks.find((c) => c.number === CALLER_C && c.state === 'talking'));
  assert.equal(back.agent, 'alice');
  const v = await until('only the call back goes on', (x) => x.conversations.map((c) => c.kind).join() === 'call_out' && x);
  assert.equal(agent(v, 'alice').customer, CALLER_C);
  // The conversation began with Alice; the platform then rings C and adds the call.
  const deadline = Date.now() + 30000;
  let joined;
  for (;;) {
    const out = await api.conversationGet({ conversationId: back.conversation });
    assert.equal(out.type, 'call_out');
    joined = out.members.map((m) => m.name ?? m.telnumber).sort();
    if (joined.length === 2 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(joined, [CALLER_C, 'alice'].sort());
  assert.equal((await sb.waitForDelivery(callB, 30000)).event, 'ivr.call_end');

  await request('POST', `/conversations/${back.conversation}/hangup`, {});
  const done = await until('the call back is over', (x) => x.callbacks[0].state === 'done' && x.handled === 3 && x);
  assert.deepEqual(done.waiting, []);
  assert.deepEqual(done.conversations, []);
  assert.equal(agent(done, 'alice').answered, 2);
});

test('bad requests get clear answers', async () => {
  const status = async (method, urlPath, body) => (await fetch(base + urlPath, { method, body })).status;
  assert.equal(await status('POST', '/yunhuni/events', '{}'), 401); // no token
  assert.equal(await status('POST', '/yunhuni/events?token=guess', '{}'), 403);
  assert.equal(await status('GET', '/yunhuni/ivr/queued?type=enqueue'), 401);
  assert.equal(await status('POST', '/agents', 'not json'), 400);
  assert.equal(await status('POST', '/agents', '{"name":"carol"}'), 400); // no phone
  assert.equal(await status('POST', '/agents/nobody/state', '{"state":"sleeping"}'), 400); // checked by the SDK
  assert.equal(await status('POST', '/agents/nobody/state', '{"state":"idle"}'), 400); // the platform: no such agent
  assert.equal(await status('GET', '/elsewhere'), 404);
});

test('late events do not move a wait back, and the history is bounded', async () => {
  const { parseEvent, parseIvrNext } = require('yunhuni');
  const { Desk } = require(path.join(EXAMPLES, 'agent_desk.js'));
  const event = (name, keys) => parseEvent(Buffer.from(JSON.stringify({ action: 'event_notify', event: name, ...keys })));
  // No request reaches this client: the events below need no action of the desk.
  const desk = new Desk({ client: client(), conditionId: 'd'.repeat(32), token: 't', history: 10 });
  const doc = await desk.handle(parseEvent(Buffer.from(JSON.stringify(
    { action: 'ivr_start', from: CALLER_A, type: 'ivr_incoming', call_id: 'c1' }))), 'http://desk.example.com');
  const xml = doc.toXml();
  assert.match(xml, /user_data="q1"/);
  assert.ok(xml.includes(`<condition id="${'d'.repeat(32)}"`), xml);
  assert.ok(xml.includes('http://desk.example.com/yunhuni/ivr/queued?token=t&amp;ticket=q1'), xml);
  // The platform's threads deliver success before select, and the conversation's end before its
  // begin: the desk keeps the latest state.
  await desk.handle(event('callcenter.queue.success', { agent_name: 'alice', id: 'task1', user_data: 'q1', type: 'ivr' }));
  await desk.handle(event('callcenter.queue.select', { agent_name: 'bob', id: 'task1', user_data: 'q1', type: 'ivr' }));
  assert.equal(desk.tickets.get('q1').state, 'talking');
  assert.equal(desk.tickets.get('q1').agent, 'alice');
  await desk.handle(event('callcenter.conversation.end', { id: 'conv1', user_data: 'q1', type: 'queue', begin_time: 1, end_time: 2 }));
  await desk.handle(event('callcenter.conversation.begin', { id: 'conv1', user_data: 'q1', type: 'queue', queue_id: 'task1' }));
  assert.deepEqual(desk.snapshot().conversations, []);
  assert.equal(desk.snapshot().handled, 1);
  assert.equal(desk.tickets.get('q1').state, 'over');

  // The platform requests <next> again when the answer is late (no 200 within 5 s): the ticket it
  // names gets the same answer, and the caller is queued once.
  desk.enqueue('c2', CALLER_B, 1, 'http://desk.example.com');
  const next = parseIvrNext('token=t&ticket=q2&call_id=c2&type=enqueue&error=error');
  const base = 'http://desk.example.com';
  const [first, again] = await Promise.all([desk.afterQueue(next, base), desk.afterQueue(next, base)]);
  assert.match(first, /user_data="q3"/);
  assert.equal(again, first);
  assert.equal(desk.tickets.get('q2').state, 'over');
  assert.equal(desk.tickets.size, 3);
  await desk.handle(event('callcenter.queue.fail', { id: 'task3', user_data: 'q3', cause: 'hangup', type: 'ivr' }));

  for (let i = 4; i < 40; i++) {
    desk.enqueue(`c${i}`, CALLER_B, 1, 'http://desk.example.com');
    await desk.handle(event('callcenter.queue.fail', { id: `task${i}`, user_data: `q${i}`, cause: 'hangup', type: 'ivr' }));
  }
  assert.ok(desk.tickets.size <= 11, `${desk.tickets.size}`);
  assert.deepEqual(desk.snapshot().waiting, []);
});
