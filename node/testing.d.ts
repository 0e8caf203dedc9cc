/// <reference types="node" />
// Types of `yunhuni/testing`: the platform simulator, started in-process for your own tests.

import type { ClientOptions } from './index';

/** How the sandbox audits pending templates (simulated milliseconds). */
export type TemplateAudit =
  | { rule: 'approve'; afterMs: number }
  | { rule: 'reject'; afterMs: number; reason?: string | null }
  | { rule: 'manual' };

/** What the SMS/USSD supplier does with messages to one number. */
export type MobileOutcome = 'delivered' | 'undelivered' | 'refused' | 'no_supplier' | 'supplier_down';

/** A template as the sandbox keeps it. */
export interface TemplateInfo {
  tempId: string;
  /** 0 pending, 1 approved, -1 rejected. */
  status: number;
  reason: string | null;
  /** The `msg.template_complete` bodies sent for it. */
  events: string[];
}

/** An SMS/USSD request as the sandbox keeps it. */
export interface MsgRequestInfo {
  msgKey: string;
  sendType: 'msg_sms' | 'msg_ussd';
  isMass: boolean;
  /** 0 waiting, 1 success, -1 failure. */
  state: number;
  /** The `msg.sending_complete` bodies sent for it. */
  events: string[];
}

/** Options of {@link Sandbox.start}. */
export interface SandboxOptions {
  /** Address to listen on; default `127.0.0.1:0` (a free port). */
  listen?: string;
  /** Where end events are POSTed; default none (events are still built: see {@link Sandbox.waitForEnd}). */
  callbackUrl?: string;
  /** How many times faster than real time the simulated calls run; default 1. At 100, a 60 s call takes 0.6 s. */
  timeScale?: number;
  /** `false` (default) sends webhook bodies as the platform does: ISO-8859-1, `?` for other characters. */
  utf8Webhooks?: boolean;
  /** Connect and read timeout of each webhook attempt, in milliseconds; default 5000. */
  webhookTimeoutMs?: number;
  /** Makes every API response wait this long (real time); default 0. */
  apiDelayMs?: number;
  /** How old a request's `Timestamp` may be, in minutes; default 50, as the server's production configuration. */
  expiryMinutes?: number;
  /** Logs one line per request and webhook attempt to stderr; default false. */
  log?: boolean;
  /** How long (simulated time) the switch takes to confirm a call; a cancel before then gets `000004`. Default 0. */
  confirmDelayMs?: number;
  /** The app's state as the platform sees it (see {@link AppSettings}). */
  appSettings?: AppSettings;
  /**
   * Where the platform POSTs `ivr_start` for `ivrCall` and inbound calls. Default none: the
   * callback URL serves, as on the platform, where one URL takes events and IVR requests.
   */
  ivrUrl?: string;
  /** Connect and read timeout of each request to the IVR application, in milliseconds; default 5000. */
  ivrTimeoutMs?: number;
}

/**
 * An app's state as the platform sees it. An app that is not `online` may only call its
 * `testNumbers` (others get `020001`); `disabledServices` get `010002`; `balanceExhausted`
 * `010003`; `quotaExhausted` `010006` for sub-account calls; `noLine` `020002`; a file not in
 * `auditedFiles` (when given) `010005`; `code` forces that code (`'CODE'` or `'CODE:message'`)
 * on every request of the app.
 */
export interface AppSettings {
  online?: boolean;
  testNumbers?: string[];
  disabledServices?: Array<'duo_callback' | 'notify_call' | 'verify_call' | 'ivr' | 'conference' | 'sms' | 'ussd'>;
  balanceExhausted?: boolean;
  quotaExhausted?: boolean;
  noLine?: boolean;
  auditedFiles?: string[] | null;
  code?: string | null;
}

/**
 * How a called number behaves. `after`: rings `ms` milliseconds, then answers; `busy`: rings
 * 1 s, then rejects; `no_answer`: rings until `maxDialDuration`; `unreachable`: fails at once;
 * `engine_failure`: the whole call fails. `hangupAfterMs`: hangs up that long after being
 * connected (absent or `null`: never).
 */
export type Behavior =
  | ({ answer: 'after'; ms: number; hangupAfterMs?: number | null; code?: string | null } & IvrCaller)
  | ({ answer: 'busy' | 'no_answer' | 'unreachable' | 'engine_failure'; hangupAfterMs?: number | null; code?: string | null } & IvrCaller)
  /** Every call to the number answers this platform code (`'020001'`, or `'020002:message'`). */
  | { code: string };

/**
 * How a number behaves as the caller of an IVR call: `keys[n]` is pressed during the call's
 * n-th `<get>` (`['1', '42#']`), each key `keyIntervalMs` (default 1000) after the previous one.
 * `hangupAfterMs` of an IVR caller counts from the answer.
 */
export interface IvrCaller {
  keys?: string[];
  keyIntervalMs?: number;
}

/** One request the platform made to an IVR application (one attempt). */
export interface IvrRequest {
  callId: string;
  /** `POST` (`ivr_start`) or `GET` (a `<next>` URL). */
  method: 'POST' | 'GET';
  url: string;
  /** 1 to 4. */
  attempt: number;
  /** The `ivr_start` body; `null` for `GET`. */
  body: string | null;
  status: number | null;
  error: string | null;
  /** The reply (the XML document) when the status was 200. */
  reply: string | null;
  simTimeMs: number;
}

/** A recording made by `<record>`. */
export interface Recording {
  /** The `record_id` sent to the next URL. */
  id: string;
  callId: string;
  appId: string;
  subaccountId: string | null;
  beginMs: number;
  endMs: number;
  /** Whole seconds. */
  duration: number;
  /** Bytes. */
  size: number;
}

/** One step of a call's life. */
export interface TimelineEntry {
  simTimeMs: number;
  state: CallState;
  what: string;
}

export type CallState = 'incoming' | 'dialing1' | 'answered1' | 'dialing2' | 'connected' | 'releasing' | 'closed';

/** A snapshot of one call in the sandbox. */
export interface CallInfo {
  id: string;
  kind: 'duo_callback' | 'notify_call' | 'verify_call' | 'ivr_call' | 'ivr_incoming';
  state: CallState;
  appId: string;
  subaccountId: string | null;
  /** `[to1, to2]` for a callback, `[to]` otherwise. */
  numbers: string[];
  userData: string | null;
  callbackUrl: string | null;
  timeline: TimelineEntry[];
  endEvent: 'pending' | 'delivered' | 'failed' | 'no_callback_url';
  endEventDelivered: boolean;
}

/** One POST of an event to a webhook URL. */
export interface WebhookAttempt {
  callId: string;
  event: string;
  url: string;
  /** 1 to 4. */
  attempt: number;
  /** The HTTP status received, if a response came back. */
  status: number | null;
  /** Why no response came back. */
  error: string | null;
  simTimeMs: number;
  charset: 'ISO-8859-1' | 'UTF-8';
  /** The body decoded with its charset. */
  body: string;
  /** The exact body bytes, in hex. */
  bodyHex: string;
}

/** What became of a call's end event. */
export interface Delivery {
  callId: string;
  event: string;
  /** `null` when there was no callback URL (nothing was sent). */
  url: string | null;
  delivered: boolean;
  charset: 'ISO-8859-1' | 'UTF-8';
  body: string;
  bodyHex: string;
  attempts: WebhookAttempt[];
}

/** How long to wait; a number is taken as `timeoutMs`. */
export type WaitOptions = number | { timeoutMs?: number };

/**
 * The platform simulator, running in this process: a signed REST API on loopback with the
 * development credentials, simulated two-leg calls, and byte-exact webhooks.
 *
 * Reserved numbers: `13900000001` busy, `13900000002` no answer, `13900000003` unreachable,
 * `13900000004` answers then hangs up, `13900000005` answers and never hangs up,
 * `13900000009` engine failure. Every other number rings 2 s, answers, and hangs up 5 s after
 * being connected, unless scripted with {@link Sandbox.setBehavior}.
 */
export declare class Sandbox {
  private constructor();
  /** Starts a sandbox. Close it with {@link Sandbox.close}. */
  static start(options?: SandboxOptions): Promise<Sandbox>;
  /** The reserved numbers and their behaviours. */
  static readonly reservedNumbers: Record<string, Behavior>;
  /** `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  readonly appId: string;
  readonly certId: string;
  readonly secretKey: string;
  readonly accountId: string;
  /** The default sub-account's credentials. */
  readonly subAccount: { id: string; certId: string; secretKey: string };
  /** The callback URL for calls placed from now; `null` when none. */
  readonly callbackUrl: string | null;
  /** Options for `new Client()` that point at this sandbox, with `extra` merged in. */
  clientOptions(extra?: Partial<ClientOptions>): ClientOptions;
  /** Sets (or with `null` removes) the callback URL for calls placed from now. */
  setCallbackUrl(url: string | null): void;
  /** The app's own IVR URL (where `ivr_start` goes); `null`: the callback URL serves. */
  readonly ivrUrl: string | null;
  /** Sets (or with `null` removes) the IVR URL for calls from now. */
  setIvrUrl(url: string | null): void;
  /**
   * A caller (`from`) dials `to`, a number of the app: the platform POSTs `ivr_start`
   * (`type` `ivr_incoming`) to the IVR URL and runs the app's documents; the caller behaves
   * as `from`'s {@link Behavior} says. Returns the call id. Throws a `validation`
   * `YunhuniError` for a missing or blank number, and an `api` one (no code) when the
   * platform would ignore the call (IVR service disabled, no balance, no line, an offline app
   * and a caller that is not one of its test numbers).
   */
  inboundCall(from: string, to: string): string;
  /**
   * Audits a pending template (status 0) now, as the platform's operator console does:
   * approves it (status 1) or rejects it (status -1, with `reason`), and sends
   * `msg.template_complete`. Throws a `validation` `YunhuniError` naming `tempId` for an
   * unknown template or one that is not pending.
   */
  auditTemplate(tempId: string, approve: boolean, reason?: string | null): void;
  /** Sets the rule that audits templates created or updated from now on (simulated ms). */
  setTemplateAudit(rule: TemplateAudit): void;
  /** The rule that audits templates (default `{ rule: 'approve', afterMs: 10000 }`). */
  templateAudit(): TemplateAudit;
  /** What the SMS/USSD supplier does with messages to `mobile` (`null`: delivered). */
  setMobileOutcome(mobile: string, outcome: MobileOutcome | null): void;
  /** A template's status and its `msg.template_complete` bodies; `null` for an unknown one. */
  template(tempId: string): TemplateInfo | null;
  /** An SMS/USSD request's state and its `msg.sending_complete` bodies; `null` for an unknown one. */
  msgRequest(msgKey: string): MsgRequestInfo | null;
  /** Every request made to the IVR application for a call, one per attempt; `null` for an unknown call. */
  ivrRequests(callId: string): IvrRequest[] | null;
  /** The recordings made by `<record>`. */
  recordings(): Recording[];
  /** Scripts a number's behaviour for calls placed from now. */
  setBehavior(number: string, behavior: Behavior): void;
  /** Removes a number's script. */
  clearBehavior(number: string): void;
  /** The behaviour a number has now. */
  behavior(number: string): Behavior;
  /** Sets an app's state as the platform sees it (default: the sandbox's own app). */
  setAppSettings(settings: AppSettings, appId?: string): void;
  /** An app's settings now (default: the sandbox's own app); `null` for an unknown app. */
  appSettings(appId?: string): AppSettings | null;
  /** Simulated now, in epoch milliseconds. */
  simNowMs(): number;
  /** Every call kept, oldest first. */
  calls(): CallInfo[];
  /** One call, or `null`. */
  call(callId: string): CallInfo | null;
  /** Every webhook attempt, or those of one call. */
  webhooks(callId?: string): WebhookAttempt[];
  /**
   * Resolves to the end event's raw body bytes once the event is settled: delivered, failed
   * four times, or not sent for lack of a callback URL. Rejects with a `timeout`
   * `YunhuniError` after `timeoutMs` (default 30000).
   */
  waitForEnd(callId: string, options?: WaitOptions): Promise<Buffer>;
  /** Like {@link Sandbox.waitForEnd}, resolving to the whole delivery record. */
  waitForDelivery(callId: string, options?: WaitOptions): Promise<Delivery>;
  /** Stops the sandbox. */
  close(): Promise<void>;
}
