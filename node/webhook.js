'use strict';
// `require('yunhuni').webhook`: receiving the platform's webhooks. `Receiver` is core's
// receiver (src/webhook.rs): the URL token, the body limit, the typed event, the delivery key
// and the in-process dedup store are all core's. This file adds what is JavaScript's own: the
// Redis store on `ioredis` (asynchronous, so it claims keys here, with core's key prefix and
// time to live), and the helpers that adapt node:http, Express and Fastify requests to it.
//
// Every helper does the same, in this order: refuses anything but POST (405); runs core's
// checks that need no body (token, declared length) and refuses unread (401/403/413, the
// connection closed); reads the raw body, stopping one byte past the limit (core refuses it:
// 413); hands it to core (400 when it is not an event) and claims its key under a lease
// (`Receiver.begin`: a key another handler holds is waited for, without blocking the event
// loop); answers a duplicate 200 at once; else awaits the handler, renewing the lease on a timer
// while its promise is pending, then marks the key done and answers 200, or releases the key and
// answers 500 when the handler threw, so that the platform sends the event again. A worker that
// dies while handling leaves the key free once its lease runs out, and the re-send is handled.
// With `answerFirst` the key is marked done at once (`Receiver.receive`) and 200 answered before
// the handler runs: a worker that dies then loses that event (the platform got its 200).

const crypto = require('node:crypto');
const binding = require('./native.js');
const { YunhuniError } = require('./index.js');

const constants = Object.freeze(binding.webhookConstants());

function validation(field, message) {
  return new YunhuniError('validation', `${field}: ${message}`, { field });
}

function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A whole number of milliseconds in 1..core's longest time to live. */
function ttlOf(value, field) {
  if (value === undefined) return constants.defaultTtlMs;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > constants.maxTtlMs) {
    const shown = typeof value === 'number' ? String(value) : describe(value);
    throw validation(field, `expected whole milliseconds from 1 to ${constants.maxTtlMs} (30 days), got ${shown}`);
  }
  return value;
}

/**
 * The in-process store (the default): at most `capacity` keys (default 100,000), each
 * remembered `ttlMs` (default one hour); the oldest is forgotten first when it is full. Core
 * checks the bounds when the Receiver is made. Each Receiver keeps its own; processes do not
 * share it (use a RedisStore for that).
 */
class MemoryStore {
  constructor(options) {
    const { capacity, ttlMs, ...rest } = options ?? {};
    if (options != null && (typeof options !== 'object' || Array.isArray(options))) {
      throw validation('options', `expected an object, got ${describe(options)}`);
    }
    const extra = Object.keys(rest);
    if (extra.length > 0) throw validation(extra[0], 'is not an option of MemoryStore (expected one of: capacity, ttlMs)');
    // Core checks the values: a receiver of this store, made and dropped.
    new binding.NativeReceiver({ store: 'memory', capacity, ttlMs });
    this.capacity = capacity ?? constants.defaultCapacity;
    this.ttlMs = ttlMs ?? constants.defaultTtlMs;
    Object.freeze(this);
  }
}

/**
 * Delivery keys in Redis, shared by every process (and every language) that uses the same
 * server. Under a lease (`Receiver.begin`, what the helpers use) it runs core's Lua scripts
 * (`constants.redisClaimScript`, `redisRenewScript`, `redisCompleteScript`,
 * `redisReleaseScript`, with EVALSHA) to claim, renew, complete and release a key, checking its
 * owner; `claim` (`SET <prefix><key> 1 NX PX <ttlMs>`) and `release` (`DEL`) are the first
 * protocol, kept for `Receiver.receive`. `redis` is an `ioredis` client (or any object with its
 * `set`, `del`, `evalsha` and `eval`); the prefix and the time to live default to core's
 * (`yunhuni:webhook:`, one hour).
 */
class RedisStore {
  #redis;

  constructor(redis, options) {
    if (redis === null || typeof redis !== 'object' || typeof redis.set !== 'function' || typeof redis.del !== 'function') {
      throw validation('redis', `expected an ioredis client (an object with set and del methods), got ${describe(redis)}`);
    }
    if (options != null && (typeof options !== 'object' || Array.isArray(options))) {
      throw validation('options', `expected an object, got ${describe(options)}`);
    }
    const { prefix = constants.redisKeyPrefix, ttlMs, ...rest } = options ?? {};
    const extra = Object.keys(rest);
    if (extra.length > 0) throw validation(extra[0], 'is not an option of RedisStore (expected one of: prefix, ttlMs)');
    if (typeof prefix !== 'string') throw validation('prefix', `expected a string, got ${describe(prefix)}`);
    this.#redis = redis;
    this.prefix = prefix;
    this.ttlMs = ttlOf(ttlMs, 'ttlMs');
    Object.freeze(this);
  }

  /** True when `key` was not claimed before (this delivery is the first). */
  async claim(key) {
    return (await this.#redis.set(this.prefix + key, '1', 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  /** Forgets `key`, so that the next delivery with it is handled. */
  async release(key) {
    await this.#redis.del(this.prefix + key);
  }

  /** Runs one of core's scripts (EVALSHA, EVAL when Redis does not have it yet). */
  async #script(script, key, args) {
    const sha = scriptSha(script);
    try {
      return await this.#redis.evalsha(sha, 1, this.prefix + key, ...args);
    } catch (err) {
      if (!String(err && err.message).includes('NOSCRIPT')) throw err;
      return this.#redis.eval(script, 1, this.prefix + key, ...args);
    }
  }

  /** Core's claim script: 'claimed' (for `owner`, `leaseMs`), 'pending' or 'done'. */
  async claimLease(key, owner, leaseMs) {
    const n = Number(await this.#script(constants.redisClaimScript, key, [owner, leaseMs]));
    const claim = { 1: 'claimed', 0: 'pending', 2: 'done' }[n];
    if (claim === undefined) throw new Error(`the claim script answered ${n}, not 0, 1 or 2`);
    return claim;
  }

  /** Core's renew script: true when `owner` held the key and its lease was extended. */
  async renew(key, owner, leaseMs) {
    return Number(await this.#script(constants.redisRenewScript, key, [owner, leaseMs])) === 1;
  }

  /** Core's complete script: the key done for `ttlMs` (when `owner` or nobody held it). */
  async complete(key, owner) {
    return Number(await this.#script(constants.redisCompleteScript, key, [owner, this.ttlMs])) === 1;
  }

  /** Core's release script: the key deleted when `owner` held it. */
  async releaseOwned(key, owner) {
    return Number(await this.#script(constants.redisReleaseScript, key, [owner])) === 1;
  }
}

const shas = new Map();
function scriptSha(script) {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = crypto.createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  return sha;
}

const LEASE_METHODS = ['claimLease', 'renew', 'complete', 'releaseOwned'];
const CLAIMS = ['claimed', 'pending', 'done'];

/** A store's failure, as core reports its own store's: kind `transport`, status 503. */
function storeFailed(err) {
  const message = err instanceof Error ? err.message : String(err);
  return new YunhuniError('transport', `the webhook's dedup store failed: ${message}`, { status: 503 });
}

/**
 * Checks, parses and deduplicates deliveries (core's webhook receiver). Options: `token` (the
 * secret in the callback URL's query), `tokenParam` (default `token`), `maxBody` (bytes,
 * default and at most 1 MiB), `store` (default a MemoryStore; a RedisStore; any object with
 * `claim(key)` and `release(key)`, and for the lease protocol `claimLease`, `renew`, `complete`
 * and `releaseOwned` as well; `null` for none), `leaseMs` (default 2000), `waitMs` (default
 * 4000), `pollMs` (default 50): see `begin`.
 */
class Receiver {
  #native;
  #store = null;
  #leased = false;

  constructor(options) {
    if (options != null && (typeof options !== 'object' || Array.isArray(options))) {
      throw validation('options', `expected an object of Receiver options, got ${describe(options)}`);
    }
    const { token, tokenParam, maxBody, store, leaseMs, waitMs, pollMs, ...rest } = options ?? {};
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw validation(extra[0], 'is not an option of Receiver (expected one of: token, tokenParam, maxBody, store, leaseMs, waitMs, pollMs)');
    }
    // What the addon takes: core's options, and which store core keeps (its own, or none).
    const native = { token, tokenParam, maxBody, leaseMs, waitMs, pollMs };
    if (store === undefined || store instanceof MemoryStore) {
      if (store) Object.assign(native, { store: 'memory', capacity: store.capacity, ttlMs: store.ttlMs });
    } else if (store === null) {
      native.store = 'none';
    } else if (typeof store === 'object' && typeof store.claim === 'function' && typeof store.release === 'function') {
      native.store = 'none';
      this.#store = store;
      this.#leased = LEASE_METHODS.every((m) => typeof store[m] === 'function');
    } else {
      throw validation('store', `expected a MemoryStore, a RedisStore, an object with claim and release methods, or null; got ${describe(store)}`);
    }
    this.#native = new binding.NativeReceiver(native);
  }

  /** The largest body accepted, in bytes. */
  get maxBody() { return this.#native.maxBody; }
  /** True when deliveries must carry the URL token. */
  get hasToken() { return this.#native.hasToken; }
  /** How long a handler holds a key before it must renew it, in milliseconds. */
  get leaseMs() { return this.#native.leaseMs; }
  /** How often the helpers renew a lease while the handler runs (a third of it). */
  get renewEveryMs() { return this.#native.renewEveryMs; }
  /** How long `begin` waits for a key another handler holds, in milliseconds. */
  get waitMs() { return this.#native.waitMs; }
  /** How often `begin` looks at such a key while it waits, in milliseconds. */
  get pollMs() { return this.#native.pollMs; }

  /**
   * The checks to run before reading the body: the token in `query` (the URL's query string)
   * and the declared `contentLength` (`null` when none). Throws a YunhuniError whose `status`
   * is the one to answer (401, 403, 413).
   */
  checkHead(query, contentLength) {
    this.#native.checkHead(query, contentLength);
  }

  /**
   * Checks, parses and claims one delivery: `{ event, key, duplicate, status, body }`. Throws
   * a YunhuniError whose `status` is the one to answer (400, 401, 403, 413; 503 when the
   * store failed).
   */
  async receive(query, body) {
    const d = this.#native.receive(query, body);
    let duplicate = d.duplicate;
    if (d.claim && this.#store !== null) {
      let claimed;
      try {
        claimed = await this.#store.claim(d.key);
      } catch (err) {
        throw storeFailed(err);
      }
      // Anything but a boolean is a store's mistake, never read as "seen" (the event dropped).
      if (typeof claimed !== 'boolean') throw storeFailed(`claim() resolved to ${describe(claimed)}, not true or false`);
      duplicate = !claimed;
    }
    return { event: d.event, key: d.key, duplicate, status: d.status, body: d.body };
  }

  /**
   * Like `receive`, but claims the key under a lease: `{ event, key, duplicate, owner, status,
   * body }`, `owner` set when this call claimed the key (null for a duplicate, `ivr_start`, no
   * store, or a store without the lease methods, whose claim is done at once). Renew the lease
   * every `renewEveryMs` while handling (`renew`), then `complete` before answering 200, or
   * `releaseOwned` after a failure before answering non-200. A key another handler holds is
   * looked at every `pollMs` for up to `waitMs`: done → a duplicate; free again (released, or
   * its handler died and its lease ran out) → claimed; still held → throws kind `timeout`,
   * status 503, so that the platform sends it again. Never blocks the event loop.
   */
  async begin(query, body) {
    const d = this.#native.parse(query, body);
    const out = { event: d.event, key: d.key, duplicate: false, owner: null, status: d.status, body: d.body };
    if (!d.claim) return out;
    if (this.#store !== null && !this.#leased) {
      out.duplicate = !(await this.#claimOnce(d.key));
      return out;
    }
    if (this.#store === null && !this.#native.hasStore) return out;
    const owner = binding.webhookNewOwner();
    const started = Date.now();
    for (;;) {
      const claim = await this.#claimLease(d.key, owner);
      if (claim === 'claimed') {
        out.owner = owner;
        return out;
      }
      if (claim === 'done') {
        out.duplicate = true;
        return out;
      }
      const waited = Date.now() - started;
      if (waited >= this.waitMs) this.#native.pendingError(d.key);
      await new Promise((resolve) => { setTimeout(resolve, Math.min(this.pollMs, this.waitMs - waited)); });
    }
  }

  async #claimOnce(key) {
    let claimed;
    try {
      claimed = await this.#store.claim(key);
    } catch (err) {
      throw storeFailed(err);
    }
    if (typeof claimed !== 'boolean') throw storeFailed(`claim() resolved to ${describe(claimed)}, not true or false`);
    return claimed;
  }

  async #claimLease(key, owner) {
    if (this.#store === null) return this.#native.claimLease(key, owner);
    let claim;
    try {
      claim = await this.#store.claimLease(key, owner, this.leaseMs);
    } catch (err) {
      throw storeFailed(err);
    }
    if (!CLAIMS.includes(claim)) throw storeFailed(`claimLease() resolved to ${describe(claim)}, not 'claimed', 'pending' or 'done'`);
    return claim;
  }

  /** Runs a lease method of the store (core's, or the JavaScript one); resolves to a boolean. */
  async #owned(method, key, owner, ...args) {
    if (typeof key !== 'string') throw validation('key', `expected a string, got ${describe(key)}`);
    if (typeof owner !== 'string') throw validation('owner', `expected a string, got ${describe(owner)}`);
    if (this.#store === null) return this.#native[method](key, owner);
    if (!this.#leased) {
      if (method === 'releaseOwned') {
        await this.release(key);
      }
      return true;
    }
    let result;
    try {
      result = await this.#store[method](key, owner, ...args);
    } catch (err) {
      throw storeFailed(err);
    }
    if (typeof result !== 'boolean') throw storeFailed(`${method}() resolved to ${describe(result)}, not true or false`);
    return result;
  }

  /** Extends `owner`'s lease on `key` by `leaseMs`; false when it no longer holds it. */
  async renew(key, owner) { return this.#owned('renew', key, owner, this.leaseMs); }
  /** Marks `key` done after its handling succeeded; false when another handler holds it now. */
  async complete(key, owner) { return this.#owned('complete', key, owner); }
  /** Forgets `key` when `owner` holds it (after its handling failed); false otherwise. */
  async releaseOwned(key, owner) { return this.#owned('releaseOwned', key, owner); }

  /** Forgets `key` in the store, so that the platform's re-send is handled (after a failure). */
  async release(key) {
    if (this.#store === null) {
      this.#native.release(key);
      return;
    }
    if (typeof key !== 'string') throw validation('key', `expected a string, got ${describe(key)}`);
    try {
      await this.#store.release(key);
    } catch (err) {
      throw storeFailed(err);
    }
  }
}

// --- The framework helpers -------------------------------------------------------------------

/** The query string of a request target (`/hook?token=x` → `token=x`). */
function queryOf(url) {
  const at = typeof url === 'string' ? url.indexOf('?') : -1;
  return at < 0 ? '' : url.slice(at + 1);
}

/** The declared Content-Length (Node's parser has checked it is digits), or null. */
function contentLength(req) {
  const value = req.headers['content-length'];
  return value === undefined || value === '' ? null : Number(value);
}

/** Thrown when the client went away before its body was read: nothing to answer. */
class Aborted extends Error {}

/**
 * The body of `stream` as a Buffer, of at most `limit + 1` bytes: reading stops one byte past
 * the limit (and the rest is never read), so that core refuses the body as too large.
 */
function readBody(stream, limit) {
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const finish = (err) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const room = limit + 1 - size;
      if (bytes.length >= room) {
        chunks.push(bytes.subarray(0, room));
        size += room;
        stream.pause();
        finish();
        return;
      }
      chunks.push(bytes);
      size += bytes.length;
    };
    const onEnd = () => finish();
    const onError = (err) => finish(new Aborted(err.message));
    const onClose = () => finish(new Aborted('the request was closed before its body was read'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** Sends `body` as text, unless a response went out already. */
function answer(res, status, body, headers) {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/**
 * A refusal: core's error with the status it carries (anything else, 500). `close`: the body
 * was not read (or not all of it): the connection is closed after the answer rather than the
 * rest read.
 */
function refuse(res, err, close, report) {
  const { status, text } = refusal(err, report);
  answer(res, status, text, close ? { connection: 'close' } : undefined);
}

/**
 * The status and text of a refusal: core's for what was wrong with the request (4xx, its
 * message); a failure of this side (a 503 when the store failed, 500 for an error that is not
 * core's) is reported, and answered without its details, which are not the caller's business.
 */
function refusal(err, report) {
  const known = err instanceof YunhuniError && Number.isInteger(err.status);
  if (known && err.status < 500) return { status: err.status, text: err.message };
  report(err, null);
  return known ? { status: err.status, text: 'unavailable; send the event again' } : { status: 500, text: 'internal error' };
}

function defaultReport(err, delivery) {
  const what = delivery ? `the handler of ${delivery.key} failed` : 'receiving a webhook failed';
  console.error(`yunhuni webhook: ${what}:`, err);
}

/** The answer to an `ivr_start` that the handler returned: an IVR document (or its XML). */
function ivrDocument(value) {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof value.toXml === 'function') return value.toXml();
  return null;
}

/**
 * One request, from its head to the answer. `preread` is a body a framework read already (a
 * Buffer), else `undefined`.
 */
async function serve(receiver, onEvent, options, req, res, preread) {
  const report = options.onError ?? defaultReport;
  if (req.method !== 'POST') {
    answer(res, 405, 'the platform POSTs its events', { allow: 'POST' });
    return;
  }
  const query = queryOf(req.originalUrl ?? req.url);
  try {
    receiver.checkHead(query, contentLength(req));
  } catch (err) {
    refuse(res, err, preread === undefined, report);
    return;
  }
  let body = preread;
  if (body === undefined) {
    try {
      body = await readBody(req, receiver.maxBody);
    } catch (err) {
      if (err instanceof Aborted) return;
      throw err;
    }
  }
  let delivery;
  try {
    delivery = options.answerFirst ? await receiver.receive(query, body) : await receiver.begin(query, body);
  } catch (err) {
    refuse(res, err, preread === undefined && body.length > receiver.maxBody, report);
    return;
  }
  if (delivery.duplicate) {
    answer(res, delivery.status, delivery.body);
    return;
  }
  const isIvr = delivery.event.type === 'ivr_start';
  if (options.answerFirst && !isIvr) {
    // The key was marked done at once: a worker that dies from here on loses the event.
    answer(res, delivery.status, delivery.body);
    try {
      await onEvent(delivery.event, delivery, req);
    } catch (err) {
      report(err, delivery);
    }
    return;
  }
  const renewal = delivery.owner ? renewWhileHandling(receiver, delivery, report) : null;
  let result;
  try {
    result = await onEvent(delivery.event, delivery, req);
  } catch (err) {
    if (renewal) clearInterval(renewal);
    report(err, delivery);
    try {
      if (delivery.owner) await receiver.releaseOwned(delivery.key, delivery.owner);
      else await receiver.release(delivery.key);
    } catch (releaseErr) {
      report(releaseErr, delivery);
    }
    answer(res, 500, 'the handler failed; send the event again');
    return;
  }
  if (renewal) clearInterval(renewal);
  if (delivery.owner) {
    try {
      if (!(await receiver.complete(delivery.key, delivery.owner))) {
        report(new Error(`${delivery.key} was handled, but its lease had run out and another handler holds it`), delivery);
      }
    } catch (err) {
      // The key stays pending until its lease runs out; a re-send after that is handled again.
      report(err, delivery);
    }
  }
  const document = isIvr ? ivrDocument(result) : null;
  if (document !== null) {
    answer(res, 200, document, { 'content-type': 'text/xml; charset=utf-8' });
  } else {
    answer(res, delivery.status, delivery.body);
  }
}

/** A timer that renews the delivery's lease while its handler's promise is pending. */
function renewWhileHandling(receiver, delivery, report) {
  const timer = setInterval(() => {
    receiver.renew(delivery.key, delivery.owner).then((held) => {
      if (!held) {
        clearInterval(timer);
        report(new Error(`the lease on ${delivery.key} ran out while it was handled; a re-send may be handled again`), delivery);
      }
    }, (err) => report(err, delivery));
  }, receiver.renewEveryMs);
  return timer;
}

function checkArgs(receiver, onEvent, options, what) {
  if (!(receiver instanceof Receiver)) throw validation('receiver', `${what} expects a webhook.Receiver, got ${describe(receiver)}`);
  if (typeof onEvent !== 'function') throw validation('onEvent', `${what} expects a function (event, delivery, req), got ${describe(onEvent)}`);
  if (options != null && (typeof options !== 'object' || Array.isArray(options))) {
    throw validation('options', `expected an object, got ${describe(options)}`);
  }
  const { answerFirst, onError, ...rest } = options ?? {};
  const extra = Object.keys(rest);
  if (extra.length > 0) throw validation(extra[0], `is not an option of ${what} (expected one of: answerFirst, onError)`);
  if (onError !== undefined && typeof onError !== 'function') throw validation('onError', `expected a function, got ${describe(onError)}`);
  return { answerFirst: answerFirst === true, onError };
}

/** Last resort: an error the helper did not expect still gets an answer (and is reported). */
function guarded(promise, res, options) {
  promise.catch((err) => {
    (options.onError ?? defaultReport)(err, null);
    answer(res, 500, 'internal error', { connection: 'close' });
  });
}

/**
 * A `node:http` request listener: `http.createServer(webhook.httpHandler(receiver, onEvent))`.
 * `onEvent(event, delivery, req)` may return a Promise; 200 is answered when it settles, 500
 * (and the key released) when it throws or rejects.
 */
function httpHandler(receiver, onEvent, options) {
  const opts = checkArgs(receiver, onEvent, options, 'httpHandler');
  return (req, res) => guarded(serve(receiver, onEvent, opts, req, res, undefined), res, opts);
}

/**
 * What a body parser that ran before the middleware left of the body: the raw bytes when it
 * kept them (`express.raw()`'s Buffer, or `req.rawBody` as a `verify` hook of `express.json()`
 * sets it), else the parsed JSON written out again (`express.json()`) or the decoded text
 * (`express.text()`): the event is the same, but characters the platform sent as ISO-8859-1
 * bytes were decoded as UTF-8 by the parser (é arrives as U+FFFD). `undefined`: no parser read
 * the body; `null`: one did and left nothing usable.
 */
function parsedBody(req) {
  if (Buffer.isBuffer(req.body)) return req.body;
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  if (req._body !== true && !req.readableEnded) return undefined;
  if (typeof req.body === 'string') return Buffer.from(req.body);
  if (req.body !== null && typeof req.body === 'object') return Buffer.from(JSON.stringify(req.body));
  return null;
}

/**
 * Express middleware: `app.post('/webhook', webhook.expressMiddleware(receiver, onEvent))`.
 * Best mounted before any body parser reaches its route: it then checks the token and the
 * declared length before reading a byte, and reads the raw bytes itself. After a parser it
 * works too (see parsedBody): exact with `express.raw({ type: '*\/*' })` or a `verify` hook
 * that keeps `req.rawBody`; after `express.json()` or `express.text()` from the parsed body.
 * A parser that left nothing usable: `next()` with an error saying what to do.
 */
function expressMiddleware(receiver, onEvent, options) {
  const opts = checkArgs(receiver, onEvent, options, 'expressMiddleware');
  return (req, res, next) => {
    const preread = parsedBody(req);
    if (preread === null) {
      next(new YunhuniError(
        'validation',
        'body: the request body was read by a body parser before the webhook middleware, which left neither the bytes nor '
          + "JSON or text: mount the middleware before the body parsers, or give its route express.raw({ type: '*/*' })",
        { field: 'body' },
      ));
      return;
    }
    guarded(serve(receiver, onEvent, opts, req, res, preread), res, opts);
  };
}

/**
 * A Fastify plugin: `app.register(webhook.fastifyPlugin, { receiver, onEvent, path })` adds
 * `POST path` (default `/`). It runs core's head checks in the route's `onRequest` hook (before
 * the body is read), reads the raw body itself (its own content-type parser, in the plugin's
 * encapsulated context only), and answers through the raw response.
 */
async function fastifyPlugin(instance, pluginOptions) {
  const { receiver, onEvent, path = '/', answerFirst, onError, ...rest } = pluginOptions ?? {};
  // Fastify's own keys of register() options.
  for (const key of ['prefix', 'logLevel', 'logSerializers']) delete rest[key];
  const opts = checkArgs(receiver, onEvent, { answerFirst, onError, ...rest }, 'fastifyPlugin');
  if (typeof path !== 'string') throw validation('path', `expected a string, got ${describe(path)}`);
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', (request, payload, done) => {
    readBody(payload, receiver.maxBody).then((body) => done(null, body), done);
  });
  instance.post(path, {
    onRequest(request, reply, done) {
      try {
        receiver.checkHead(queryOf(request.raw.url), contentLength(request.raw));
      } catch (err) {
        const { status, text } = refusal(err, opts.onError ?? defaultReport);
        reply.code(status).header('connection', 'close').type('text/plain; charset=utf-8').send(text);
        return;
      }
      done();
    },
  }, (request, reply) => {
    reply.hijack();
    const preread = Buffer.isBuffer(request.body) ? request.body : undefined;
    guarded(serve(receiver, onEvent, opts, request.raw, reply.raw, preread), reply.raw, opts);
  });
}

module.exports = {
  Receiver,
  MemoryStore,
  RedisStore,
  httpHandler,
  expressMiddleware,
  fastifyPlugin,
  /** Core's constants: `redisKeyPrefix`, `defaultTtlMs`, `maxTtlMs`, `defaultMaxBody`, the lease's
   * `defaultLeaseMs`, `defaultWaitMs`, `defaultPollMs` and Redis scripts, ... */
  constants,
  /** A new lease owner value (`p:` and 32 random hex digits), core's. */
  newOwner: () => binding.webhookNewOwner(),
};
