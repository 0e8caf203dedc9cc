/// <reference types="node" />
// Types of the npm package `yunhuni`. Checked by compiling test/types.ts and the TypeScript
// examples with `tsc --noEmit --strict` (scripts/test-node). The operations, their fields and
// their answers are in ops.d.ts, and the parsed webhook events (`Event` and its members) in
// events.d.ts, both generated from core's declarations.

import type { Event } from './events';
import type { FieldsArgument, OperationName, OperationTypes, Operations } from './ops';
export * from './events';
export * from './ops';
import type * as ivrModule from './ivr';
export type { IvrStart, IvrNext } from './ivr';

/** The stable category of a {@link YunhuniError}; the same string in every language of the SDK. */
export type ErrorKind =
  /** The request broke a rule the server enforces, or an argument has the wrong type; nothing was sent. `field` names it. */
  | 'validation'
  /** The server answered HTTP 200 with a code other than `000000`; `code` has it (for example `020000`). */
  | 'api'
  /** The server answered HTTP 401: signature, credentials or timestamp refused. */
  | 'auth'
  /** The server answered with another HTTP status; `status` has it. */
  | 'http'
  /** The request did not complete within `timeoutMs` (the call's or the client's) or `connectTimeoutMs`; see `maybeSent`. */
  | 'timeout'
  /** The connection failed or broke, or the peer did not speak HTTP; see `maybeSent`. */
  | 'transport'
  /** A body was not what the platform sends: a response that is not the expected JSON, or a webhook body that cannot be parsed. */
  | 'decode';

/**
 * The one error class of the SDK. Promise APIs reject with it (never throw synchronously);
 * `new Client()`, `parseEvent`, `sign` and `stringToSign` throw it. Its message never
 * contains a secret key.
 */
export declare class YunhuniError extends Error {
  readonly name: 'YunhuniError';
  readonly kind: ErrorKind;
  /** The platform's six-digit code, for `api` errors (for example `030500`). */
  readonly code: string | null;
  /** The HTTP status, when the server answered. */
  readonly status: number | null;
  /**
   * The argument at fault, as you spell it in JavaScript (`maxCallDuration`, `playContent[0]`,
   * `timeoutMs`, `YUNHUNI_APP_ID`), for `validation` errors; the event field for `decode` errors.
   */
  readonly field: string | null;
  /** The server's own `msg` (Chinese), exactly as received, for `api` errors. */
  readonly platformMessage: string | null;
  /**
   * For `transport` and `timeout` errors: `true` when bytes of the request were written, so
   * the server may have received it and acted on it (a call may have been placed). Check the
   * call's events (or query it) before trying again; the SDK never sends such a request
   * twice itself. `false` for every other error, and when nothing reached the server.
   */
  readonly maybeSent: boolean;
  constructor(
    kind: ErrorKind,
    message: string,
    details?: { code?: string | null; status?: number | null; field?: string | null; platformMessage?: string | null; maybeSent?: boolean },
  );
}

/** Settings of a {@link Client} besides its credentials. */
export interface ClientSettings {
  /** The API's base URL; default `https://api.yunhuni.com`. A URL ending in `/v1/account/{id}/` also sets the account id. */
  baseUrl?: string;
  /** The id in `/v1/account/{id}/`; default the cert id (or the one in `baseUrl`). */
  accountId?: string;
  /** The longest a whole request may take, in milliseconds; default 30000. */
  timeoutMs?: number;
  /** The longest connecting may take, in milliseconds; default 5000. */
  connectTimeoutMs?: number;
  /** Text appended to the `User-Agent` header, for example `my-app/1.2`. */
  userAgent?: string;
  /** How many times a request is tried again when the connection could not be made; default 0. Nothing that may have reached the server is ever sent again. */
  connectRetries?: number;
  /** How many idle connections are kept open for reuse; default 64, at most 65536. Set it to the number of requests in flight at once so that none is reopened; 0 closes each connection after its answer. */
  maxIdleConnections?: number;
  /**
   * The proxy every request goes through: `http://host:port`, `https://...` or
   * `socks5://...` (`user:password@` allowed), or `false` to connect directly whatever the
   * environment says. Default: the proxy named by `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY`
   * (or their lower-case forms), if any.
   */
  proxy?: string | false;
  /**
   * Called on the JavaScript thread after each request the client sent, before the call's
   * Promise settles (never for a request refused before sending). An exception it throws
   * becomes an uncaught exception; the call settles as usual. With a hook, `YUNHUNI_LOG`
   * writes nothing about this client's requests.
   */
  onRequest?: (log: RequestLog) => void;
}

/** What a request did, as {@link ClientSettings.onRequest} hears of it. Never the secret key or the signature. */
export interface RequestLog {
  /** `GET`, `POST`, `PUT` or `DELETE`. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path after `/v1/account/{accountId}/`, with its query string: `call/duo_callback`, `callcenter/extension?pageNo=2`. */
  path: string;
  /** The HTTP status, when the server answered. */
  status: number | null;
  /** The platform's code, when the answer had one (`000000` on success). */
  code: string | null;
  /** The kind of the error the call rejects with, or `null` when it succeeded. */
  errorKind: Exclude<ErrorKind, 'validation'> | null;
  /** How long it took, in milliseconds, every attempt included. */
  durationMs: number;
  /** How many times it was tried (more than 1 only when connecting failed and `connectRetries` allowed another try). */
  attempts: number;
}

/** Options of `new Client()`. */
export interface ClientOptions extends ClientSettings {
  /** The application's AppID. */
  appId: string;
  /** The account's (or sub-account's) CertID. */
  certId: string;
  /** The secret key of `certId`. Kept inside the native client: no property, message or `util.inspect` shows it. */
  secretKey: string;
}

/** Play types of a `PlayItem`. */
export declare const PlayType: {
  readonly FILE: 0;
  readonly DIGITS: 1;
  readonly NUMBER: 2;
  readonly AMOUNT: 3;
  readonly DATE_TIME: 4;
  readonly DURATION: 5;
};

/**
 * A client of the platform's REST API. Every call returns a Promise, runs on the addon's own
 * worker threads (never on the event loop, never in libuv's small pool), and rejects with a
 * {@link YunhuniError}. One client may serve any number of calls at once.
 */
export declare class Client {
  /** @throws {YunhuniError} `validation` for a missing or malformed option. */
  constructor(options: ClientOptions);
  /**
   * A client from `YUNHUNI_APP_ID`, `YUNHUNI_CERT_ID`, `YUNHUNI_SECRET_KEY` (required) and
   * `YUNHUNI_BASE_URL`, `YUNHUNI_ACCOUNT_ID` (optional); `settings` override the optional ones.
   * @throws {YunhuniError} `validation` naming the missing variable.
   */
  static fromEnv(settings?: ClientSettings): Client;
  readonly appId: string;
  readonly certId: string;
  /** The account id in the request paths. */
  readonly accountId: string;
  /** The URL that request paths are relative to, ending in `/v1/account/{id}/`. */
  readonly apiRoot: string;
  /**
   * Any operation by its name (`'conf_create'`, as core declares it), with its fields in
   * camelCase and the options of this call (`{ timeoutMs }`): what every method of
   * {@link Operations} calls. Core checks every field (unknown ones, types, required ones, the
   * server's rules) and option before anything is sent. Resolves to `{ callId, userData }` for
   * operations that place a call, `undefined` when the answer is `null`, else the answer's
   * `data` with the server's keys.
   */
  request<N extends OperationName>(name: N, ...args: FieldsArgument<N>): Promise<OperationTypes[N]['data']>;
}
/** Every operation of the platform is a method of `Client`: `client.confCreate({ maxDuration: 600 })`. */
export interface Client extends Operations {}

/** How a voice callback ended. */
export type Outcome =
  /** Both parties talked; one of them hung up. */
  | 'connected'
  /** Party 1 never answered: busy, rejected, unreachable, no answer in time, or cancelled. */
  | 'party1_not_reached'
  /** Party 1 answered but party 2 never did. */
  | 'party2_not_reached'
  /** Both talked until `maxCallDuration`, when the platform hung up. */
  | 'max_duration_reached'
  /** Both were connected and the bridge failed. */
  | 'bridge_error'
  /** The platform could not start the call at all. */
  | 'platform_failure';

/**
 * Parses a webhook body as the platform sends it (UTF-8, or ISO-8859-1 when not valid UTF-8).
 * Pass the raw bytes (a Buffer) when you can.
 * Every number comes out exactly as sent: a number beyond `Number.MAX_SAFE_INTEGER` in size
 * anywhere in the body (which no event of the platform carries) makes it a `decode` error.
 * @throws {YunhuniError} `decode` for a body that is not an event (`field` names a bad field:
 *   `endTime`, or the key path in `fields` as sent); `validation` when `body` is not a string,
 *   Buffer or Uint8Array, or is a string with a lone surrogate.
 */
export declare function parseEvent(body: string | Uint8Array): Event;

/**
 * IVR applications (ivr.d.ts, generated from core's declarations): `new ivr.Response()` builds
 * the documents to answer the platform with; `parseEvent` gives the `ivr_start` request.
 */
export * as ivr from './ivr';

/**
 * Receiving webhooks (webhook.d.ts): `new webhook.Receiver({ token, store })` (core's receiver:
 * URL token, body limit, typed event, duplicate deliveries), `MemoryStore`, `RedisStore` (on
 * `ioredis`), and the helpers `httpHandler` (node:http), `expressMiddleware`, `fastifyPlugin`.
 */
export * as webhook from './webhook';

/**
 * Parses the query of the request the platform sends to a `<next>` URL (the query alone, or the
 * request target or URL it ends): the results of the action that just ran.
 * @throws {YunhuniError} `decode` for a query over 64 KiB, a `%` not followed by two hex digits,
 *   or a `type` that is not an action (`field` names the key).
 */
export declare const parseIvrNext: typeof ivrModule.parseIvrNext;

/** What {@link stringToSign} takes. */
export interface StringToSignInput {
  /** The HTTP method as sent, for example `POST`. */
  method: string;
  /** The request URI or path; its query string (from the first `?`) is not signed. */
  uri: string;
  /** The `Timestamp` header: `yyyyMMddHHmmss` in UTC+8. */
  timestamp: string;
  /** The `AppID` header. */
  appId: string;
  /** The exact body (a string is taken as its UTF-8 bytes); only POST and PUT sign it. Default empty. */
  body?: string | Uint8Array;
  /** The `Content-Type` header exactly as sent; only POST and PUT sign it. Default `application/json; charset=utf-8`. */
  contentType?: string;
}

/** What {@link sign} takes. */
export interface SignInput extends StringToSignInput {
  secretKey: string;
}

/** The `Signature` header: Base64 of HMAC-SHA256 of {@link stringToSign}, keyed with `secretKey`. */
export declare function sign(input: SignInput): string;

/** The canonical string that the platform signs: `METHOD\nCONTENT_MD5\nCONTENT_TYPE\nTIMESTAMP\nAPPID\nPATH`. */
export declare function stringToSign(input: StringToSignInput): string;

/** A row of the platform's return-code table. */
export interface CodeInfo {
  /** For example `030500`. */
  code: string;
  /** The server's name for it, for example `DuoCallbackNumIsSample`. */
  name: string;
  /** The server's own Chinese message. */
  zh: string;
  /** What it means, in English. */
  en: string;
}

/** The meaning of a platform return code, or `null` for an unknown code. */
export declare function lookupCode(code: string): CodeInfo | null;

/** The version of the Rust core inside the addon. */
export declare const version: string;
