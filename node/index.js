'use strict';
// The npm package `yunhuni`: a thin layer over the native addon (src/*.rs, built into
// yunhuni.node on install). It keeps the secret key out of sight and adds one method per
// operation (ops.js, generated); everything else is the Rust core's.

const { inspect } = require('node:util');
const binding = require('./native.js');
const operations = require('./ops.js');

/**
 * The one error class of the SDK. `kind` is one of the seven stable kinds. The addon makes
 * its errors with `new YunhuniError(kind, message)` and sets the other properties itself.
 */
class YunhuniError extends Error {
  constructor(kind, message, { code = null, status = null, field = null, platformMessage = null } = {}) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.status = status;
    this.field = field;
    this.platformMessage = platformMessage;
  }
}
YunhuniError.prototype.name = 'YunhuniError';
binding.__setErrorClass(YunhuniError);

class Client {
  #native;

  constructor(options) {
    this.#native = options instanceof binding.NativeClient ? options : new binding.NativeClient(options);
  }

  /** From YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY (and YUNHUNI_BASE_URL, YUNHUNI_ACCOUNT_ID). */
  static fromEnv(options) {
    return new Client(binding.NativeClient.fromEnv(options));
  }

  get appId() { return this.#native.appId; }
  get certId() { return this.#native.certId; }
  get accountId() { return this.#native.accountId; }
  get apiRoot() { return this.#native.apiRoot; }

  /** Any operation by its name (`conf_create`), with its fields in camelCase. */
  async request(name, fields) { return this.#native.request(name, fields); }

  [inspect.custom](depth, options, inspectFn = inspect) {
    const shown = { appId: this.appId, certId: this.certId, apiRoot: this.apiRoot };
    return `Client ${inspectFn(shown, options)}`;
  }
}

for (const [name, method] of Object.entries(operations)) {
  Object.defineProperty(Client.prototype, name, { value: method, writable: true, configurable: true });
}

/** Play types of a voice notification's `playContent` items. */
const PlayType = Object.freeze({ FILE: 0, DIGITS: 1, NUMBER: 2, AMOUNT: 3, DATE_TIME: 4, DURATION: 5 });

module.exports = {
  Client,
  YunhuniError,
  PlayType,
  parseEvent: (body) => JSON.parse(binding.parseEvent(body)),
  sign: binding.sign,
  stringToSign: binding.stringToSign,
  lookupCode: binding.lookupCode,
  version: binding.coreVersion(),
};
