'use strict';
// The Node baseline a careful application writes: node:http with a keep-alive Agent (no
// socket limit, as the default Agent), each request signed with node:crypto (MD5 of the body,
// HMAC-SHA256, Base64) and the platform's `code` checked, as the platform's samples do.

const crypto = require('node:crypto');
const http = require('node:http');
const { timestamp } = require('./node_fetch.js');

const CONTENT_TYPE = 'application/json; charset=utf-8';

class NodeHttpClient {
  /** `maxSockets`: the Agent's limit of sockets (none by default, as Node's own Agent). */
  constructor({ appId, certId, secretKey, baseUrl }, { maxSockets } = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:') throw new Error(`node:http baseline: expected an http: URL, got ${baseUrl}`);
    this.appId = appId;
    this.certId = certId;
    this.secretKey = secretKey;
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.agent = new http.Agent({ keepAlive: true, ...(maxSockets ? { maxSockets } : {}) });
  }

  post(operation, payload) {
    const path = `${this.prefix}/v1/account/${this.certId}/${operation}`;
    const body = JSON.stringify(payload);
    const ts = timestamp();
    const md5 = crypto.createHash('md5').update(body).digest('hex');
    const text = ['POST', md5, CONTENT_TYPE, ts, this.appId, path].join('\n');
    const signature = crypto.createHmac('sha256', this.secretKey).update(text).digest('base64');
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.host,
        port: this.port,
        path,
        method: 'POST',
        agent: this.agent,
        headers: {
          'Content-Type': CONTENT_TYPE,
          'Content-Length': Buffer.byteLength(body),
          Accept: 'application/json',
          AppID: this.appId,
          CertID: this.certId,
          Signature: signature,
          Timestamp: ts,
        },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`${operation}: HTTP ${res.statusCode}`));
            return;
          }
          try {
            const result = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (result.code !== '000000') throw new Error(`${operation} failed: ${JSON.stringify(result)}`);
            resolve(result.data);
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async duoCallback({ to1, to2, maxCallDuration }) {
    const data = await this.post('call/duo_callback', { to1, to2, max_call_duration: maxCallDuration });
    return { callId: data.callId, userData: data.user_data ?? null };
  }

  close() {
    this.agent.destroy();
  }
}

module.exports = { NodeHttpClient };
