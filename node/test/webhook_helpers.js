'use strict';
// Helpers of the webhook tests: a real redis-server (Debian's package, installed by
// scripts/test-node), a round-robin HTTP proxy (a load balancer in front of several processes
// of an app), and raw HTTP requests that node's clients would not send (a declared length the
// body never reaches, a chunked body that never ends).

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const Redis = require('ioredis');

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a redis-server on a free loopback port, without persistence; resolves to
 * `{ url, client, stop }` once it answers PING. Fails with a clear message when redis-server
 * is not installed (scripts/test-node installs it).
 */
async function startRedis() {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error) throw new Error('redis-server is not installed (scripts/test-node installs Debian\'s redis-server package)');
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const url = `redis://127.0.0.1:${port}`;
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      // Ready once it says so (or gone, when it could not start).
      await new Promise((resolve, reject) => {
        const onData = () => { if (/Ready to accept connections/.test(output)) resolve(); };
        child.stdout.on('data', onData);
        child.once('exit', (code) => reject(new Error(`it exited with ${code}`)));
        setTimeout(() => reject(new Error('it did not say it was ready within 30 s')), 30000).unref();
      });
      await client.connect();
      await client.ping();
      const stop = async () => {
        client.disconnect();
        child.kill('SIGTERM');
        await exited;
      };
      return { url, client, stop };
    } catch (err) {
      client.disconnect();
      child.kill('SIGKILL');
      await exited;
      // Another process took the port between freePort() and the server's start: try another.
      if (tries < 3 && /Address already in use/.test(output)) continue;
      throw new Error(`redis-server did not start: ${err.message}\n${output}`);
    }
  }
}

/**
 * An HTTP proxy on a free loopback port that sends each request to the next of `targets`
 * (base URLs) in turn, as a load balancer in front of several processes would: a re-send of
 * an event reaches another process than its first attempt. Resolves to `{ url, close }`.
 */
async function roundRobinProxy(targets) {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const target = new URL(targets[next++ % targets.length]);
    const upstream = http.request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); agent.destroy(); server.close(resolve); }),
  };
}

/**
 * Sends `head` (the request line and headers, CRLF-separated, without the blank line) on a
 * new connection, then `body` chunks from `chunks()` (an iterator of Buffers) until it runs
 * out or the server answers or closes. Resolves to `{ response, written, error }`: what came
 * back (text, possibly empty), the body bytes written, and the socket error if any.
 */
function rawRequest(url, head, chunks) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let response = '';
    let written = 0;
    let error = null;
    let over = false;
    socket.on('data', (d) => { response += d.toString('latin1'); over = true; });
    socket.on('error', (e) => { error = e; over = true; });
    socket.on('close', () => { over = true; resolve({ response, written, error }); });
    socket.on('connect', async () => {
      socket.write(`${head}\r\n\r\n`);
      if (!chunks) return;
      for (const chunk of chunks()) {
        if (over) break;
        written += chunk.length;
        if (!socket.write(chunk)) {
          await new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
        }
      }
      if (!over) socket.end();
    });
    // The server may keep the connection open after answering: close it once an answer is in.
    const poll = setInterval(() => {
      if (/\r\n\r\n/.test(response) && !socket.destroyed) {
        const m = /content-length: *(\d+)/i.exec(response);
        const headEnd = response.indexOf('\r\n\r\n') + 4;
        if (!m || response.length - headEnd >= Number(m[1])) socket.destroy();
      }
    }, 20);
    socket.on('close', () => clearInterval(poll));
  });
}

/** The status of a raw response (`HTTP/1.1 413 ...` → 413), or null. */
function statusOf(response) {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
  return m ? Number(m[1]) : null;
}

/**
 * The examples `require('yunhuni')`, their framework and ioredis: links this package and its
 * dev dependencies where they look for them (as scripts/test-node does), so that a test file
 * run alone finds them too.
 */
function linkExampleModules() {
  const pkg = path.resolve(__dirname, '..');
  const modules = path.resolve(pkg, '..', 'examples', 'node', 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  for (const [name, target] of [['yunhuni', pkg], ...['express', 'fastify', 'ioredis'].map((m) => [m, path.join(pkg, 'node_modules', m)])]) {
    const link = path.join(modules, name);
    if (fs.existsSync(path.join(link, 'package.json'))) continue;
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.relative(modules, target), link, 'dir');
  }
}

module.exports = { startRedis, roundRobinProxy, rawRequest, statusOf, freePort, linkExampleModules };
