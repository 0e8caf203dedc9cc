'use strict';
// The npm package `yunhuni`: a thin layer over the native addon (src/*.rs, built into
// yunhuni.node on install). It only turns the addon's structured errors into YunhuniError
// and keeps the secret key out of sight; everything else is the Rust core's.

const { inspect } = require('node:util');
const binding = require('./native.js');

const ERROR_MARK = '\u0001yunhuni-error\u0001';

/** The one error class of the SDK. `kind` is one of the seven stable kinds. */
class YunhuniError extends Error {
  constructor(kind, message, { code = null, status = null, field = null } = {}) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.status = status;
    this.field = field;
  }
}
YunhuniError.prototype.name = 'YunhuniError';

/** The addon's error as a YunhuniError; any other error (a panic, a bug) unchanged. */
function convert(err) {
  if (err instanceof Error && typeof err.message === 'string' && err.message.startsWith(ERROR_MARK)) {
    const e = JSON.parse(err.message.slice(ERROR_MARK.length));
    const converted = new YunhuniError(e.kind, e.message, e);
    Error.captureStackTrace(converted, convert);
    return converted;
  }
  return err;
}

function sync(fn) {
  try {
    return fn();
  } catch (err) {
    throw convert(err);
  }
}

/** Calls a Promise-returning native method; even a synchronous throw becomes a rejection. */
async function call(fn) {
  try {
    return await fn();
  } catch (err) {
    throw convert(err);
  }
}

class Client {
  #native;

  constructor(options) {
    this.#native = options instanceof binding.NativeClient ? options : sync(() => new binding.NativeClient(options));
  }

  /** From YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY (and YUNHUNI_BASE_URL, YUNHUNI_ACCOUNT_ID). */
  static fromEnv(options) {
    return new Client(sync(() => binding.NativeClient.fromEnv(options)));
  }

  get appId() { return this.#native.appId; }
  get certId() { return this.#native.certId; }
  get accountId() { return this.#native.accountId; }
  get apiRoot() { return this.#native.apiRoot; }

  duoCallback(request) { return call(() => this.#native.duoCallback(request)); }
  cancelDuoCallback(callId) { return call(() => this.#native.cancelDuoCallback(callId)); }
  notifyCall(request) { return call(() => this.#native.notifyCall(request)); }
  verifyCall(request) { return call(() => this.#native.verifyCall(request)); }

  [inspect.custom](depth, options, inspectFn = inspect) {
    const shown = { appId: this.appId, certId: this.certId, apiRoot: this.apiRoot };
    return `Client ${inspectFn(shown, options)}`;
  }
}

/** Play types of a voice notification's `playContent` items. */
const PlayType = Object.freeze({ FILE: 0, DIGITS: 1, NUMBER: 2, AMOUNT: 3, DATE_TIME: 4, DURATION: 5 });

module.exports = {
  Client,
  YunhuniError,
  PlayType,
  parseEvent: (body) => sync(() => JSON.parse(binding.parseEvent(body))),
  sign: (input) => sync(() => binding.sign(input)),
  stringToSign: (input) => sync(() => binding.stringToSign(input)),
  lookupCode: (code) => sync(() => binding.lookupCode(code)),
  version: binding.coreVersion(),
};

// For yunhuni/testing only.
Object.defineProperty(module.exports, '_internal', { value: { binding, sync, call }, enumerable: false });
