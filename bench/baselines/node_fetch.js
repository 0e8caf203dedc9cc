'use strict';
// The Node baseline: what an application does without the SDK. It signs every request with
// node:crypto (MD5 of the body, HMAC-SHA256, Base64) and sends it with the global fetch (whose
// agent keeps connections alive), checking the platform's `code` as the platform's samples do.

const crypto = require('node:crypto');

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** `yyyyMMddHHmmss` in UTC+8, whatever the local time zone. */
function timestamp() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}` +
    `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}

class FetchClient {
  constructor({ appId, certId, secretKey, baseUrl }) {
    this.appId = appId;
    this.certId = certId;
    this.secretKey = secretKey;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async post(operation, payload) {
    const path = `/v1/account/${this.certId}/${operation}`;
    const body = JSON.stringify(payload);
    const ts = timestamp();
    const md5 = crypto.createHash('md5').update(body).digest('hex');
    const text = ['POST', md5, CONTENT_TYPE, ts, this.appId, path].join('\n');
    const signature = crypto.createHmac('sha256', this.secretKey).update(text).digest('base64');
    const response = await fetch(this.baseUrl + path, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': CONTENT_TYPE,
        Accept: 'application/json',
        AppID: this.appId,
        CertID: this.certId,
        Signature: signature,
        Timestamp: ts,
      },
    });
    if (!response.ok) throw new Error(`${operation}: HTTP ${response.status}`);
    const result = await response.json();
    if (result.code !== '000000') throw new Error(`${operation} failed: ${JSON.stringify(result)}`);
    return result.data;
  }

  async duoCallback({ to1, to2, maxCallDuration }) {
    const data = await this.post('call/duo_callback', { to1, to2, max_call_duration: maxCallDuration });
    return { callId: data.callId, userData: data.user_data ?? null };
  }
}

module.exports = { FetchClient, timestamp };
