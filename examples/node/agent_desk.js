#!/usr/bin/env node
'use strict';
// An agent desk backend: the call center's state from its events, and what the desk does about it.
//
// Callers dial the app's number; the platform asks this app what to do (ivr_start) and the app
// answers with an <enqueue>: the platform queues the caller, picks an idle agent by the queue
// condition, rings the agent's phone, and connects them. Every step comes back as a typed
// callcenter.* event, which this desk turns into a view of the floor (who is free, who talks to
// whom, who waits) served as JSON at GET /desk. It also acts:
//
// - an agent who lets a call ring out or rejects it is put `away` (agentSetState), so that the
//   platform stops offering callers to an empty seat; the caller is queued again once;
// - a caller who waited the condition's queue timeout is told "we will call you back", and the
//   first agent to become free while nobody waits calls back (agentCallOut).
//
// Agents' own screens talk to the desk: POST /agents ({"name","phone"}: log in at a phone),
// POST /agents/NAME/state ({"state":"idle"}: back from a break), POST /agents/NAME/reject
// (refuse the call ringing now), POST /conversations/ID/hangup. Put them behind your own login;
// here they are open, for a desk on a trusted network. The state lives in this process.
//
//   YUNHUNI_APP_ID=... YUNHUNI_CERT_ID=... YUNHUNI_SECRET_KEY=... \
//   PORT=8000 WEBHOOK_TOKEN=a-long-random-secret node examples/node/agent_desk.js
//   # the app's callback URL: http://your-host:8000/yunhuni/events?token=a-long-random-secret
//
// DESK_CONDITION_ID uses an existing queue condition; without it the desk creates one (every
// agent; DESK_QUEUE_TIMEOUT seconds of waiting, default 120; DESK_FETCH_TIMEOUT seconds of
// ringing, default 20). DESK_PUBLIC_URL is the desk's URL as the platform reaches it (default:
// from the Host header of the platform's request). node/test/agent-desk.test.js runs it against
// the sandbox.

const http = require('node:http');
const { Client, ivr, parseIvrNext, webhook, YunhuniError } = require('yunhuni');

const { Response } = ivr;

const EVENTS_PATH = '/yunhuni/events';
const QUEUED_PATH = '/yunhuni/ivr/queued';
/** How many times a caller is queued before the desk promises a call back instead. */
const MAX_TRIES = 2;
/** How many times the desk tries to call a caller back. */
const MAX_CALLBACK_TRIES = 3;
/** Finished waits, conversations and call backs kept (for late events and the view); past it, the oldest half goes. A real desk writes its history to a database. */
const HISTORY = 10000;
// A wait moves forward only: an event that arrives late (the platform POSTs from several
// threads, so events of one call may cross on the way) never moves it back.
const RANK = { waiting: 0, ringing: 1, talking: 2, over: 3 };

/** A state the desk set itself: newer than any answer still on the way. */
function note(seat, state) {
  seat.asked += 1;
  seat.seen = seat.asked;
  seat.state = state;
}

function advance(ticket, state) {
  if (RANK[state] <= RANK[ticket.state]) return false;
  ticket.state = state;
  return true;
}

class Desk {
  /**
   * `client`: a yunhuni Client; `conditionId`: the queue condition of the <enqueue>;
   * `token`: the URL token (for the <next> URL); `publicUrl`: optional, see above; `history`:
   * how many finished records to keep (default HISTORY).
   */
  constructor({ client, conditionId, token, publicUrl, history = HISTORY }) {
    this.client = client;
    this.conditionId = conditionId;
    this.token = token;
    this.publicUrl = publicUrl;
    this.history = history;
    this.ids = 0;
    this.seats = new Map(); // name -> { name, phone, extension, state, missed, answered }
    // One wait of one caller in the queue. Its id is the <enqueue>'s user_data, which the platform
    // echoes in every callcenter.queue.* and conversation.* event of it.
    this.tickets = new Map(); // id -> { id, callId, caller, attempt, since, state, agent, taskId, conversation, cause }
    this.callbacks = new Map(); // id -> { id, number, state, agent, conversation, tries }
    this.talks = new Map(); // conversation id -> { id, kind, ticket, callback, ended }
    this.handled = 0;
  }

  // -- the caller's side: the IVR documents ------------------------------------------------

  /**
   * A new ticket, and the <enqueue> that queues the caller under it. `lru`: the agent idle the
   * longest takes the call; when the queue fails (no agent within the condition's queue timeout,
   * or the agent's phone did not answer) or the conversation is over, the platform requests
   * <next> with error=timeout, error=error or no error.
   */
  enqueue(callId, caller, attempt, base) {
    const ticket = { id: `q${++this.ids}`, callId, caller, attempt, since: Date.now(), state: 'waiting',
      agent: null, taskId: null, conversation: null, cause: null, missed: null, reply: null };
    this.tickets.set(ticket.id, ticket);
    this.trim();
    console.log(`${ticket.id}: caller ${caller} queued (try ${attempt})`);
    // The <next> URL names the ticket (the platform adds call_id, type and error to it).
    const query = new URLSearchParams({ ...(this.token ? { token: this.token } : {}), ticket: ticket.id });
    return new Response()
      .enqueue({ choice: 'lru', waitVoice: 'please-hold.wav', userData: ticket.id })
      .route()
      .condition(this.conditionId)
      .next(`${this.publicUrl ?? base}${QUEUED_PATH}?${query}`);
  }

  /**
   * The <next> request after an <enqueue>; resolves to XML. The platform sends it again when it
   * gets no 200 within 5 s: the same ticket gets the same answer.
   */
  afterQueue(next, base) {
    const ticket = this.tickets.get(next.params.find(([name]) => name === 'ticket')?.[1] ?? '');
    if (!ticket) return Promise.resolve(new Response().play('goodbye.wav').endCall().toXml());
    ticket.reply ??= this.after(ticket, next.error, base).then((doc) => doc.toXml(), (err) => {
      ticket.reply = null; // a failure is not remembered: the re-send tries again
      throw err;
    });
    return ticket.reply;
  }

  async after(ticket, error, base) {
    if (error === null) return new Response().play('thanks-for-calling.wav').endCall(); // the conversation is over
    if (error === 'error' && (ticket.state === 'ringing' || ticket.missed)) {
      // The agent's phone rang and the call was not taken (rejected, or rang out). The
      // queue.fail event says the same; whichever comes first acts, and this request waits for
      // it so that the caller is not offered to that agent again.
      await this.ringFailed(ticket);
    }
    this.close(ticket, error);
    if (error === 'error' && ticket.attempt < MAX_TRIES) return this.enqueue(ticket.callId, ticket.caller, ticket.attempt + 1, base);
    this.promiseCallback(ticket);
    return new Response().play('we-will-call-you-back.wav').endCall();
  }

  // -- the platform's events -------------------------------------------------------------

  /** Each webhook event, once (the receiver drops the platform's repeated deliveries). Returns the IVR document for ivr_start. */
  async handle(ev, base) {
    const ticket = this.tickets.get(ev.userData ?? '');
    switch (ev.type) {
      case 'ivr_start':
        return this.enqueue(ev.callId ?? '', ev.from ?? '', 1, base);
      case 'callcenter.queue.select':
        if (ticket && advance(ticket, 'ringing')) {
          ticket.agent = ev.agentName;
          ticket.taskId = ev.id;
          console.log(`${ticket.id}: ${ev.agentName}'s phone rings`);
        }
        break;
      case 'callcenter.queue.success':
        if (ticket) {
          advance(ticket, 'talking');
          ticket.agent = ev.agentName;
          const seat = this.seats.get(ev.agentName ?? '');
          if (seat) seat.answered += 1;
        }
        break;
      case 'callcenter.queue.fail':
        console.log(`queue failed for ${ev.userData}: ${ev.cause}`);
        if (!ticket) break;
        ticket.agent ??= ev.agentName; // its queue.select may still be on the way
        if (ev.cause === 'call_fail') await this.ringFailed(ticket);
        this.close(ticket, ev.cause);
        if (ev.cause === 'timeout') this.promiseCallback(ticket);
        break;
      case 'callcenter.conversation.begin':
        this.conversationBegan(ev);
        break;
      case 'callcenter.conversation.end':
        this.conversationEnded(ev);
        break;
      case 'callcenter.agent.state_changed':
        await this.agentChanged(ev.name ?? '', ev.latestState);
        break;
      default:
      // Other events (callcenter.conversation.parts_changed, agent.conversation_changed, the
      // IVR call's ivr.*) add nothing this desk shows.
    }
    return undefined;
  }

  /** Forgets the oldest finished records past `this.history`. */
  trim() {
    const forget = (map, done) => {
      if (map.size <= this.history) return;
      for (const item of [...map.values()].filter(done).slice(0, Math.ceil(this.history / 2))) map.delete(item.id);
    };
    forget(this.tickets, (t) => t.state === 'over');
    forget(this.talks, (t) => t.ended);
    forget(this.callbacks, (c) => c.state === 'done' || c.state === 'failed');
  }

  close(ticket, cause) {
    if (advance(ticket, 'over')) ticket.cause = cause;
  }

  talk(ev) {
    if (!this.talks.has(ev.id)) this.talks.set(ev.id, { id: ev.id, kind: ev.kind, ticket: null, callback: null, ended: false });
    return this.talks.get(ev.id);
  }

  conversationBegan(ev) {
    // user_data is what the conversation was made with: the ticket of a queued caller, the
    // callback's id for agentCallOut.
    const talk = this.talk(ev);
    if (talk.ended) return; // its end came first
    const ticket = this.tickets.get(ev.userData ?? '');
    const callback = this.callbacks.get(ev.userData ?? '');
    if (ticket) {
      talk.ticket = ticket.id;
      ticket.conversation = talk.id;
      advance(ticket, 'talking');
    } else if (callback) {
      talk.callback = callback.id;
      callback.conversation = talk.id;
      callback.state = 'talking';
    }
  }

  conversationEnded(ev) {
    const talk = this.talk(ev);
    if (talk.ended) return;
    talk.ended = true;
    this.handled += 1;
    this.trim();
    const ticket = this.tickets.get(ev.userData ?? '');
    if (ticket) advance(ticket, 'over');
    const callback = this.callbacks.get(ev.userData ?? '');
    if (callback) callback.state = 'done';
  }

  /**
   * An agent's state changed on the platform. The events may arrive out of order, so the desk
   * asks for the agent's state of now instead of trusting the event's; and as the answers may
   * cross too, it keeps one only if no later question was answered first.
   */
  async agentChanged(name, latest) {
    const seat = this.seats.get(name);
    if (!seat) return;
    const question = ++seat.asked;
    let state = latest;
    try {
      state = (await this.client.agentGet({ agentName: name })).state ?? latest;
    } catch (err) {
      console.warn(`agentGet ${name}: ${err.message}`);
    }
    if (question < seat.seen || !state) return; // a later answer is in already
    seat.seen = question;
    seat.state = state;
    for (const cb of this.callbacks.values()) {
      // A call back that never became a conversation (the agent's phone did not answer) is tried again.
      if (cb.state === 'dialing' && cb.agent === name && state === 'idle') cb.state = cb.tries < MAX_CALLBACK_TRIES ? 'pending' : 'failed';
    }
    if (state === 'idle') await this.callBack(name);
  }

  // -- what the desk does ------------------------------------------------------------------

  /** The agent chosen for `ticket` did not take the call: put the agent away (once per ticket). */
  ringFailed(ticket) {
    if (!ticket.missed && ticket.agent) {
      const name = ticket.agent;
      ticket.missed = this.client.agentSetState({ agentName: name, state: 'away' }).then(
        () => {
          const seat = this.seats.get(name);
          if (seat) {
            seat.missed += 1;
            note(seat, 'away');
          }
          console.log(`${name} missed ${ticket.id}: put away`);
        },
        // 040203: the platform gave the agent another call meanwhile; leave it so.
        (err) => console.warn(`could not put ${name} away: ${err.message}`),
      );
    }
    return ticket.missed ?? Promise.resolve();
  }

  promiseCallback(ticket) {
    const id = `cb-${ticket.id}`;
    if (this.callbacks.has(id)) return;
    this.callbacks.set(id, { id, number: ticket.caller, state: 'pending', agent: null, conversation: null, tries: 0 });
    console.log(`${ticket.id}: ${ticket.caller} will be called back`);
  }

  /** An agent is free: when nobody waits, the agent calls back the oldest promise. */
  async callBack(name) {
    const queued = [...this.tickets.values()].some((t) => t.state === 'waiting' || t.state === 'ringing');
    if (queued) return; // callers in the queue come first
    const cb = [...this.callbacks.values()].find((c) => c.state === 'pending');
    if (!cb) return;
    Object.assign(cb, { state: 'dialing', agent: name, tries: cb.tries + 1 });
    try {
      // The platform rings the agent's phone, then the caller's number, and connects them: a
      // conversation of type call_out, whose events carry this user_data.
      await this.client.agentCallOut({ agentName: name, to: cb.number, maxDialSeconds: 30, userData: cb.id });
      console.log(`${name} calls ${cb.number} back (${cb.id})`);
    } catch (err) {
      console.warn(`call back of ${cb.number} by ${name} failed: ${err.message}`);
      cb.state = 'pending';
    }
  }

  /** An agent starts work at a phone: an extension of type 3 (a phone number) and a login as idle. Idle agents take queued callers at once. */
  async login(name, phone) {
    const extension = (await this.client.extCreate({ type: '3', telnum: phone })).id;
    // asked: questions about the state (and the desk's own changes), numbered; seen: the latest
    // of them whose answer is in `state`.
    const seat = { name, phone, extension, state: 'idle', missed: 0, answered: 0, asked: 0, seen: 0 };
    this.seats.set(name, seat);
    await this.client.agentLogin({ name, extension, state: 'idle' });
    console.log(`${name} logged in at ${phone}`);
    await this.callBack(name);
    return seat;
  }

  /** The agent's own choice (idle, busy, away...). The platform sends no event for a state set by the API, so the desk notes it itself. */
  async setState(name, state) {
    await this.client.agentSetState({ agentName: name, state });
    const seat = this.seats.get(name);
    if (seat) note(seat, state);
    if (state === 'idle') await this.callBack(name);
  }

  /** The agent refuses the call ringing its phone now (the queue then fails with call_fail, and the desk puts the agent away as for a missed call). */
  async reject(name) {
    const ringing = [...this.tickets.values()].find((t) => t.state === 'ringing' && t.agent === name);
    if (!ringing?.taskId) return false;
    return this.client.agentReject({ agentName: name, queueId: ringing.taskId });
  }

  hangup(conversationId) {
    return this.client.conversationDismiss({ conversationId });
  }

  // -- the view ----------------------------------------------------------------------------

  /** What GET /desk answers. */
  snapshot() {
    const now = Date.now();
    const talks = [];
    for (const talk of this.talks.values()) {
      if (talk.ended) continue;
      const ticket = this.tickets.get(talk.ticket ?? '');
      const cb = this.callbacks.get(talk.callback ?? '');
      talks.push({ id: talk.id, kind: talk.kind, agent: ticket?.agent ?? cb?.agent ?? null, customer: ticket?.caller ?? cb?.number ?? null });
    }
    const onCall = new Map(talks.map((t) => [t.agent, t]));
    return {
      agents: [...this.seats.values()].map((s) => ({
        name: s.name, phone: s.phone, state: s.state, missed: s.missed, answered: s.answered,
        conversation: onCall.get(s.name)?.id ?? null, customer: onCall.get(s.name)?.customer ?? null,
      })),
      waiting: [...this.tickets.values()].filter((t) => t.state === 'waiting' || t.state === 'ringing').map((t) => ({
        ticket: t.id, caller: t.caller, try: t.attempt, state: t.state, agent: t.agent, waited_s: Math.round((now - t.since) / 100) / 10,
      })),
      conversations: talks,
      callbacks: [...this.callbacks.values()].map(({ id, number, state, agent, conversation }) => ({ id, number, state, agent, conversation })),
      handled: this.handled,
    };
  }
}

// -- HTTP ------------------------------------------------------------------------------------

function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new RangeError('body too large');
    chunks.push(chunk);
  }
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('expected a JSON object');
  return body;
}

function required(body, key) {
  if (typeof body[key] !== 'string') throw new TypeError(`${key}: expected a string`);
  return body[key];
}

/**
 * The request listener: the platform's POSTs through webhook.httpHandler, the IVR's <next>
 * requests, and the desk's own JSON endpoints.
 */
function createHandler(desk, receiver) {
  const baseOf = (req) => `http://${req.headers.host}`;
  const events = webhook.httpHandler(receiver, (ev, delivery, req) => desk.handle(ev, baseOf(req)));
  return async (req, res) => {
    const url = new URL(req.url, 'http://desk');
    const parts = url.pathname.split('/').filter(Boolean);
    try {
      if (url.pathname === EVENTS_PATH) return events(req, res);
      if (url.pathname === QUEUED_PATH && req.method === 'GET') {
        const query = url.search.slice(1);
        receiver.checkHead(query, null); // the URL token, as for the POSTs
        return send(res, 200, await desk.afterQueue(parseIvrNext(query), baseOf(req)), 'text/xml; charset=utf-8');
      }
      if (url.pathname === '/desk' && req.method === 'GET') return send(res, 200, desk.snapshot());
      if (req.method === 'POST' && parts[0] === 'agents') {
        const body = await readJson(req);
        if (parts.length === 1) {
          const seat = await desk.login(required(body, 'name'), required(body, 'phone'));
          return send(res, 200, { name: seat.name, extension: seat.extension });
        }
        if (parts.length === 3 && parts[2] === 'state') {
          await desk.setState(decodeURIComponent(parts[1]), required(body, 'state'));
          return send(res, 200, { ok: true });
        }
        if (parts.length === 3 && parts[2] === 'reject') return send(res, 200, { rejected: await desk.reject(decodeURIComponent(parts[1])) });
      }
      if (req.method === 'POST' && parts.length === 3 && parts[0] === 'conversations' && parts[2] === 'hangup') {
        return send(res, 200, { ok: await desk.hangup(decodeURIComponent(parts[1])) });
      }
      return send(res, 404, { error: `no ${req.method} ${url.pathname}` });
    } catch (err) {
      if (err instanceof YunhuniError) {
        // auth: the URL token of a request of the platform; validation: a value the SDK refused
        // before sending; decode: not the platform's request; api: the platform refused (its
        // code is err.code); the others: the platform could not be reached.
        const status = { auth: err.status ?? 401, validation: 400, decode: 400, api: 400 }[err.kind] ?? 502;
        return send(res, status, { error: err.message, code: err.code });
      }
      if (err instanceof SyntaxError || err instanceof TypeError || err instanceof RangeError) {
        return send(res, 400, { error: `bad request: ${err.message}` });
      }
      console.error(err);
      return send(res, 500, { error: 'internal error' });
    }
  };
}

/** Starts the desk from the environment (see the top of this file); resolves to the server. */
async function start({ env = process.env, client = Client.fromEnv() } = {}) {
  const token = env.WEBHOOK_TOKEN || undefined;
  const conditionId = env.DESK_CONDITION_ID || (await client.conditionCreate({
    where: 'true;',
    queueTimeout: Number(env.DESK_QUEUE_TIMEOUT || 120),
    fetchTimeout: Number(env.DESK_FETCH_TIMEOUT || 20),
    remark: 'agent desk: every agent',
  })).conditionId;
  const desk = new Desk({ client, conditionId, token, publicUrl: env.DESK_PUBLIC_URL || undefined });
  const server = http.createServer(createHandler(desk, new webhook.Receiver({ token })));
  await new Promise((resolve) => server.listen(Number(env.PORT ?? 8000), env.HOST ?? '127.0.0.1', resolve));
  const { address, port } = server.address();
  console.log(`desk on http://${address}:${port}/desk`);
  return server;
}

if (require.main === module) {
  start().catch((err) => {
    console.error(`the desk could not start: ${err.message}`);
    process.exit(1);
  });
}

module.exports = { Desk, createHandler, start };
