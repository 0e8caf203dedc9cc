'use strict';
// Shared helpers of the node test suite.

const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const VECTORS = path.join(REPO, 'tests', 'vectors');

function loadVectors(name) {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8')).cases;
}

/** snake_case keys to camelCase, as the binding promises; `fields` of other events kept whole. */
function camelKeys(value) {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    out[key] = k === 'fields' ? v : camelKeys(v);
  }
  return out;
}

/** Starts a node:http server answering every request with `handler`; resolves to its base URL. */
async function httpServer(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

/** A TCP server that accepts connections and never answers. */
async function silentServer() {
  const sockets = new Set();
  const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** A stub of the platform that records every request and answers with `answer(request)` as `data`. */
async function recordingStub() {
  const received = [];
  let answer = () => ({ callId: '0123456789abcdef0123456789abcdef', user_data: null });
  let reply = null;
  const server = await httpServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const [path, query = ''] = req.url.split(/\?(.*)/s);
      const got = { method: req.method, path, query, body: Buffer.concat(chunks) };
      received.push(got);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(reply ?? { code: '000000', msg: '请求成功', data: answer(got) }));
    });
  });
  return {
    received,
    url: server.url,
    close: server.close,
    /** Answers every request with `data` made by `fn` until changed. */
    answerWith(fn) { answer = fn; reply = null; },
    /** Answers every request with this whole body until changed. */
    replyWith(body) { reply = body; },
  };
}

/** Rejects unless `promise` rejects with a YunhuniError of `kind`; resolves to the error. */
async function rejectsWith(promise, kind, YunhuniError) {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof YunhuniError)) throw new Error(`expected a YunhuniError, got ${err && err.stack}`);
    if (err.kind !== kind) throw new Error(`expected kind ${kind}, got ${err.kind}: ${err.message}`);
    return err;
  }
  throw new Error(`expected a rejection of kind ${kind}, but it resolved`);
}

module.exports = { REPO, loadVectors, camelKeys, httpServer, recordingStub, silentServer, closedPort, rejectsWith };
