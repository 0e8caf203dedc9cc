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
  constructor(kind, message, { code = null, status = null, field = null, platformMessage = null, maybeSent = false } = {}) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.status = status;
    this.field = field;
    this.platformMessage = platformMessage;
    this.maybeSent = maybeSent;
  }
}
YunhuniError.prototype.name = 'YunhuniError';
binding.__setErrorClass(YunhuniError);

// YUNHUNI_LOG=debug: each request and each parsed event on stderr (clients without a hook).
const badLevel = binding.__initLog();
if (badLevel !== null) {
  process.emitWarning(`YUNHUNI_LOG=${badLevel} is not one of off, error, warn, info, debug, trace; ignored`, 'YunhuniWarning');
}

/**
 * The options with `onRequest` made safe to call from the addon: an exception the hook
 * throws is handed on as an uncaught exception (as one thrown by an event listener would be),
 * and the call it reports settles as usual.
 */
function withSafeHook(options) {
  if (options === null || typeof options !== 'object' || typeof options.onRequest !== 'function') return options;
  const hook = options.onRequest;
  // The same options (own keys, prototype) with only the hook replaced.
  const safe = Object.create(Object.getPrototypeOf(options), Object.getOwnPropertyDescriptors(options));
  Object.defineProperty(safe, 'onRequest', {
    enumerable: true,
    value(log) {
      try {
        hook(log);
      } catch (err) {
        process.nextTick(() => { throw err; });
      }
    },
  });
  return safe;
}

class Client {
  #native;

  constructor(options) {
    this.#native = options instanceof binding.NativeClient ? options : new binding.NativeClient(withSafeHook(options));
  }

  /** From YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY (and YUNHUNI_BASE_URL, YUNHUNI_ACCOUNT_ID). */
  static fromEnv(options) {
    return new Client(binding.NativeClient.fromEnv(withSafeHook(options)));
  }

  get appId() { return this.#native.appId; }
  get certId() { return this.#native.certId; }
  get accountId() { return this.#native.accountId; }
  get apiRoot() { return this.#native.apiRoot; }

  /** Any operation by its name (`conf_create`), with its fields in camelCase and the options of this call (`{ timeoutMs }`). */
  async request(name, fields, options) {
    // A Map or Set has no own keys for the addon to read: refuse it rather than send nothing.
    if (fields instanceof Map || fields instanceof Set) {
      const what = fields instanceof Map ? 'a Map' : 'a Set';
      throw new YunhuniError('validation', `fields: expected an object of fields, got ${what}`, { field: 'fields' });
    }
    return this.#native.request(name, fields, options);
  }

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
  parseEvent: binding.parseEvent,
  sign: binding.sign,
  stringToSign: binding.stringToSign,
  lookupCode: binding.lookupCode,
  version: binding.coreVersion(),
  // IVR: the document builder and the <next> query (ivr.js, generated from core's declarations).
  ivr: require('./ivr.js'),
  parseIvrNext: require('./ivr.js').parseIvrNext,
};
// Webhooks: the receiver, its stores, the node:http, Express and Fastify helpers (webhook.js,
// which uses YunhuniError from the exports above).
module.exports.webhook = require('./webhook.js');
