'use strict';
// `require('yunhuni/testing')`: the platform simulator, started in this process, for your
// own tests. Nothing here is needed in production.

const { inspect } = require('node:util');
// index.js gives the addon the YunhuniError class its errors are made of.
require('./index.js');
const binding = require('./native.js');

function timeoutOf(options) {
  return typeof options === 'number' ? options : options == null ? undefined : options.timeoutMs;
}

class Sandbox {
  #native;

  /** Use `await Sandbox.start(options)`. */
  constructor(native) {
    if (!(native instanceof binding.NativeSandbox)) {
      throw new TypeError('use `await Sandbox.start(options)` to make a Sandbox');
    }
    this.#native = native;
  }

  static async start(options) {
    return new Sandbox(await binding.NativeSandbox.start(options));
  }

  /** The numbers that behave in a fixed way with no setup, with their behaviours. */
  static get reservedNumbers() { return binding.NativeSandbox.reservedNumbers(); }

  get baseUrl() { return this.#native.baseUrl; }
  get appId() { return this.#native.appId; }
  get certId() { return this.#native.certId; }
  get secretKey() { return this.#native.secretKey; }
  get accountId() { return this.#native.accountId; }
  get subAccount() { return this.#native.subAccount; }
  get callbackUrl() { return this.#native.callbackUrl ?? null; }
  get ivrUrl() { return this.#native.ivrUrl ?? null; }

  /** Options for `new Client()` that point at this sandbox; `extra` is merged in. */
  clientOptions(extra) {
    return { appId: this.appId, certId: this.certId, secretKey: this.secretKey, baseUrl: this.baseUrl, ...extra };
  }

  setCallbackUrl(url) { this.#native.setCallbackUrl(url); }
  setIvrUrl(url) { this.#native.setIvrUrl(url); }
  /** A caller dials `to`: the sandbox runs the app's IVR documents. Returns the call id. */
  inboundCall(from, to) { return this.#native.inboundCall(from, to); }
  ivrRequests(callId) { return this.#native.ivrRequests(callId); }
  /** Approves or rejects a pending template now (`msg.template_complete` follows). */
  auditTemplate(tempId, approve, reason) { this.#native.auditTemplate(tempId, approve, reason); }
  setTemplateAudit(rule) { this.#native.setTemplateAudit(rule); }
  templateAudit() { return this.#native.templateAudit(); }
  setMobileOutcome(mobile, outcome) { this.#native.setMobileOutcome(mobile, outcome ?? null); }
  template(tempId) { return this.#native.template(tempId); }
  msgRequest(msgKey) { return this.#native.msgRequest(msgKey); }
  recordings() { return this.#native.recordings(); }
  setBehavior(number, behavior) { this.#native.setBehavior(number, behavior); }
  clearBehavior(number) { this.#native.clearBehavior(number); }
  behavior(number) { return this.#native.behavior(number); }
  setAppSettings(settings, appId) { this.#native.setAppSettings(settings, appId); }
  appSettings(appId) { return this.#native.appSettings(appId); }
  simNowMs() { return this.#native.simNowMs(); }
  calls() { return this.#native.calls(); }
  call(callId) { return this.#native.call(callId); }
  webhooks(callId) { return this.#native.webhooks(callId); }

  /** Resolves to the end event's raw body (a Buffer) once it is settled. */
  async waitForEnd(callId, options) { return this.#native.waitForEnd(callId, timeoutOf(options)); }
  async waitForDelivery(callId, options) { return this.#native.waitForDelivery(callId, timeoutOf(options)); }
  async close() { return this.#native.close(); }

  [inspect.custom](depth, options, inspectFn = inspect) {
    return `Sandbox ${inspectFn({ baseUrl: this.baseUrl, appId: this.appId }, options)}`;
  }
}

module.exports = { Sandbox };
