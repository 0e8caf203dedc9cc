/// <reference types="node" />
// Types of `webhook` in the npm package `yunhuni` (webhook.js): core's webhook receiver, its
// stores, and the node:http, Express and Fastify helpers. Checked by compiling
// test/types-webhook.ts with `tsc --noEmit --strict` (scripts/test-node).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Event } from './events';

/** Core's constants, as the addon gives them (not re-declared in JavaScript). */
export declare const constants: Readonly<{
  /** What a RedisStore puts before each delivery key: `yunhuni:webhook:`, the same in every language. */
  redisKeyPrefix: string;
  /** How long a key is remembered unless told otherwise: 3,600,000 ms (one hour). */
  defaultTtlMs: number;
  /** The longest time a store may remember a key: 30 days. */
  maxTtlMs: number;
  /** The default and largest body limit: 1,048,576 bytes. */
  defaultMaxBody: number;
  /** The query parameter of the URL token unless told otherwise: `token`. */
  defaultTokenParam: string;
  /** The keys a MemoryStore holds unless told otherwise: 100,000. */
  defaultCapacity: number;
  /** The status that tells the platform a delivery arrived: 200. */
  responseStatus: number;
  /** The body answered with it: `ok`. */
  responseBody: string;
  /** How long a handler holds a key before it must renew it: 2,000 ms. */
  defaultLeaseMs: number;
  /** How long a re-send waits for a key another handler holds: 4,000 ms (below the platform's 5 s). */
  defaultWaitMs: number;
  /** How often it looks at that key while waiting: 50 ms. */
  defaultPollMs: number;
  /** What a pending key's value starts with: `p:`. */
  pendingPrefix: string;
  /** A done key's value: `d`. */
  doneValue: string;
  /** Core's Redis scripts of the lease protocol (claim, renew, complete, release), run by every language. */
  redisClaimScript: string;
  redisRenewScript: string;
  redisCompleteScript: string;
  redisReleaseScript: string;
}>;

/** A new lease owner value: `p:` and 32 random hex digits (core's). */
export declare function newOwner(): string;

/**
 * Where delivery keys are claimed: an atomic set-if-absent with expiry (`claim` resolves to
 * `true` when the key was not there) and `release` to forget one. {@link RedisStore} is one;
 * an error thrown or rejected by either is answered 503 (`transport`), so the platform re-sends.
 */
export interface Store {
  claim(key: string): Promise<boolean> | boolean;
  release(key: string): Promise<void> | void;
  /**
   * The lease protocol (all four, or none: without them a claimed key is done at once, and a
   * worker that dies while handling loses that event). `claimLease` claims `key` for `owner`
   * for `leaseMs` when absent, else tells whether another owner holds it or it is done.
   */
  claimLease?(key: string, owner: string, leaseMs: number): Promise<'claimed' | 'pending' | 'done'>;
  renew?(key: string, owner: string, leaseMs: number): Promise<boolean>;
  complete?(key: string, owner: string): Promise<boolean>;
  releaseOwned?(key: string, owner: string): Promise<boolean>;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** The most keys held; the oldest is forgotten first when full. 1 to 10,000,000; default 100,000. */
  capacity?: number;
  /** How long each key is remembered, in ms: 1 to 30 days; default one hour. */
  ttlMs?: number;
}

/**
 * The in-process store (the default of a Receiver): bounded in entries and time, checked by
 * core. Each Receiver keeps its own, and processes do not share it: use a {@link RedisStore}
 * when the app runs several.
 */
export declare class MemoryStore {
  /** @throws {YunhuniError} `validation` naming `capacity` or `ttlMs` when out of range. */
  constructor(options?: MemoryStoreOptions);
  readonly capacity: number;
  readonly ttlMs: number;
}

/** The commands of an `ioredis` client that {@link RedisStore} uses. */
export interface RedisLike {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null | string>;
  del(key: string): Promise<number>;
  /** For the lease protocol: core's scripts, by digest, then whole when Redis lacks them. */
  evalsha?(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval?(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** Put before each key; default core's `yunhuni:webhook:` (shared with the other languages). */
  prefix?: string;
  /** How long a claimed key is kept, in ms; default core's one hour, at most 30 days. */
  ttlMs?: number;
}

/**
 * Delivery keys in Redis, shared by every process of the app. Under a lease
 * ({@link Receiver.begin}, what the helpers use) core's Lua scripts claim, renew, complete and
 * release a key, checking its owner (pending: `p:<owner>` for the lease; done: `d` for `ttlMs`);
 * `SET <prefix><key> 1 NX PX <ttlMs>` claims and `DEL <prefix><key>` releases for
 * {@link Receiver.receive}.
 */
export declare class RedisStore implements Store {
  /**
   * @param redis An `ioredis` client (`new Redis(url)`), or any object with its `set` and `del`.
   * @throws {YunhuniError} `validation` naming `redis`, `prefix` or `ttlMs`.
   */
  constructor(redis: RedisLike, options?: RedisStoreOptions);
  readonly prefix: string;
  readonly ttlMs: number;
  claim(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
  claimLease(key: string, owner: string, leaseMs: number): Promise<'claimed' | 'pending' | 'done'>;
  renew(key: string, owner: string, leaseMs: number): Promise<boolean>;
  complete(key: string, owner: string): Promise<boolean>;
  releaseOwned(key: string, owner: string): Promise<boolean>;
}

/** Options of {@link Receiver}. */
export interface ReceiverOptions {
  /**
   * The URL token: a delivery whose URL query lacks `token=<this>` is refused (401 when
   * absent, 403 when different), compared in constant time. 1 to 256 bytes; put it
   * percent-encoded in the callback URL you give the platform.
   */
  token?: string;
  /** The query parameter that carries the token; default `token`. */
  tokenParam?: string;
  /** The largest body accepted, in bytes: 1 to 1,048,576 (the default). */
  maxBody?: number;
  /** Where deliveries are remembered: a MemoryStore (default), a RedisStore, any {@link Store}, or `null` for none. */
  store?: MemoryStore | Store | null;
  /** How long a handler holds a delivery's key before it must renew it, in ms: 30 to 3,600,000; default 2,000. */
  leaseMs?: number;
  /** How long a re-send waits for a key another handler holds, in ms: 0 to 3,600,000; default 4,000 (keep it below the platform's 5 s). */
  waitMs?: number;
  /** How often it looks at that key while waiting, in ms: 1 to 10,000; default 50. */
  pollMs?: number;
}

/** One delivery, received: the typed event and what to answer. */
export interface Delivery<E extends Event = Event> {
  /** The event, as `parseEvent` gives it. */
  event: E;
  /** What identifies this delivery: `<event>:<id>:<16 hex digits of the body's digest>`. */
  key: string;
  /** True when the key was seen before: the platform sent it again. */
  duplicate: boolean;
  /**
   * The lease's owner when {@link Receiver.begin} claimed this delivery (this handler holds its
   * key); `null` otherwise. Absent from what {@link Receiver.receive} gives.
   */
  owner?: string | null;
  /** The status to answer: 200. */
  status: number;
  /** The body to answer (text): `ok`. */
  body: string;
}

/** Core's webhook receiver: URL token, body limit, typed event, delivery key, dedup store. */
export declare class Receiver {
  /** @throws {YunhuniError} `validation` naming the option that is wrong. */
  constructor(options?: ReceiverOptions);
  /** The largest body accepted, in bytes. */
  readonly maxBody: number;
  /** True when deliveries must carry the URL token. */
  readonly hasToken: boolean;
  /**
   * The checks to run before reading the body: the token in `query` (the URL's query string,
   * with or without `?`) and the declared length (`null` when the request declares none).
   * @throws {YunhuniError} whose `status` is the one to answer: 401 or 403 (`auth`, field
   *   `token`), 413 (`decode`, field `body`).
   */
  checkHead(query: string | null, contentLength: number | null): void;
  /**
   * Checks, parses and claims one delivery. Rejects with a {@link YunhuniError} whose `status`
   * is the one to answer: 401, 403, 413, 400 (`decode`: not an event), 503 (`transport`: the
   * store failed).
   */
  receive(query: string | null, body: string | Uint8Array): Promise<Delivery>;
  /**
   * Like `receive`, but claims the key under a lease (`owner` set when claimed). Renew it every
   * `renewEveryMs` while handling, then `complete` before answering 200, or `releaseOwned` after
   * a failure. A key another handler holds is waited for (up to `waitMs`, without blocking the
   * event loop): done → a duplicate; free again (released, or its handler died and its lease ran
   * out) → claimed; still held → rejects with `timeout`, status 503.
   */
  begin(query: string | null, body: string | Uint8Array): Promise<Delivery>;
  /** Extends `owner`'s lease on `key`; false when it no longer holds it. */
  renew(key: string, owner: string): Promise<boolean>;
  /** Marks `key` done after its handling succeeded; false when another handler holds it now. */
  complete(key: string, owner: string): Promise<boolean>;
  /** Forgets `key` when `owner` holds it (after a failure); false otherwise. */
  releaseOwned(key: string, owner: string): Promise<boolean>;
  /** Forgets `key` in the store, so that the platform's re-send is handled (after a failure). */
  release(key: string): Promise<void>;
  /** The lease, the renewal period, the wait and the poll interval, in ms. */
  readonly leaseMs: number;
  readonly renewEveryMs: number;
  readonly waitMs: number;
  readonly pollMs: number;
}

/**
 * What the app does with each event. Resolve to have 200 answered; throw or reject to have the
 * key released and 500 answered, so that the platform sends the event again (4 attempts in
 * all, each waiting at most 5 s for the answer). For `ivr_start` (an IVR call starting, when
 * the callback URL also serves IVR), return the IVR document (an `ivr.Response` or its XML).
 */
export type EventHandler<Req = IncomingMessage> = (
  event: Event,
  delivery: Delivery,
  req: Req,
) => unknown | Promise<unknown>;

/** Options of the helpers. */
export interface HelperOptions {
  /** Answer 200 before running the handler (its failures are then only reported, never re-sent). Default false. */
  answerFirst?: boolean;
  /** Told of a handler's failure (with its delivery), and of the store's failure or an unexpected error (`null`: answered 503 or 500 without details); default: console.error. */
  onError?: (error: unknown, delivery: Delivery | null) => void;
}

/** A `node:http` request listener: `http.createServer(webhook.httpHandler(receiver, onEvent))`. */
export declare function httpHandler(
  receiver: Receiver,
  onEvent: EventHandler,
  options?: HelperOptions,
): (req: IncomingMessage, res: ServerResponse) => void;

/** The parts of Express's request the middleware reads (a body parser's `body` or `rawBody`, `originalUrl`). */
export interface ExpressLikeRequest extends IncomingMessage {
  body?: unknown;
  rawBody?: unknown;
  originalUrl?: string;
}

/**
 * Express middleware: `app.post('/webhook', webhook.expressMiddleware(receiver, onEvent))`.
 * Best before any body parser reaches its route (the token is then checked before the body is
 * read). After one it uses `req.body` as a Buffer (`express.raw()`), `req.rawBody` (a `verify`
 * hook's), or the parsed JSON or text (Latin-1 bytes then decoded by the parser); a parser
 * that left none of these gets `next(error)`.
 */
export declare function expressMiddleware<Req extends ExpressLikeRequest = ExpressLikeRequest>(
  receiver: Receiver,
  onEvent: EventHandler<Req>,
  options?: HelperOptions,
): (req: Req, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Options of {@link fastifyPlugin} (given to `app.register`). */
export interface FastifyWebhookOptions extends HelperOptions {
  receiver: Receiver;
  onEvent: EventHandler;
  /** The route's path; default `/`. */
  path?: string;
}

/**
 * A Fastify plugin: `app.register(webhook.fastifyPlugin, { receiver, onEvent, path: '/webhook' })`
 * adds `POST path`, with the head checks in its `onRequest` hook and a raw-body parser of its
 * own (in its encapsulated context only).
 */
export declare function fastifyPlugin(instance: any, options: FastifyWebhookOptions): Promise<void>;
