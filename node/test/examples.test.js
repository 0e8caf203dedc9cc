'use strict';
// The examples of examples/node and the README's snippet, run against the sandbox.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const { spawn, spawnSync } = require('node:child_process');
const { Client, parseEvent } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');
const { REPO } = require('./helpers.js');

const EXAMPLES = path.join(REPO, 'examples', 'node');
const PACKAGE = path.resolve(__dirname, '..');

// The examples `require('yunhuni')`: link this package where they look for it.
test.before(() => {
  const link = path.join(EXAMPLES, 'node_modules', 'yunhuni');
  if (!fs.existsSync(path.join(link, 'package.json'))) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.relative(path.dirname(link), PACKAGE), link, 'dir');
  }
});

function run(args, options) {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60000, ...options });
  if (r.error) throw r.error;
  return r;
}

test.describe('examples', () => {
  let sb;
  let env;
  test.before(async () => {
    sb = await Sandbox.start({ timeScale: 100 });
    env = { ...process.env, YUNHUNI_APP_ID: sb.appId, YUNHUNI_CERT_ID: sb.certId, YUNHUNI_SECRET_KEY: sb.secretKey, YUNHUNI_BASE_URL: sb.baseUrl };
  });
  test.after(() => sb.close());

  test('place_callback.js places a callback', () => {
    const r = run([path.join(EXAMPLES, 'place_callback.js'), '13800000001', '13800000002', 'order-7'], { env });
    assert.equal(r.status, 0, r.stderr);
    const [, callId] = r.stdout.match(/placed callback ([0-9a-f]{32}) \(user data order-7\)/) ?? [];
    assert.ok(callId, r.stdout);
    assert.deepEqual(sb.call(callId).numbers, ['13800000001', '13800000002']);
  });

  test('place_callback.js reports an error with its kind and exits 1', () => {
    const r = run([path.join(EXAMPLES, 'place_callback.js'), '13800000001', '13800000001'], { env });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^validation error: .*\(field to2\)/);
  });

  test('place_callback.js says when the callback may have been placed', async () => {
    // A server that reads the request and breaks the connection instead of answering.
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.resetAndDestroy());
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const child = spawn(process.execPath, [path.join(EXAMPLES, 'place_callback.js'), '13800000001', '13800000002'], {
        env: { ...env, YUNHUNI_BASE_URL: `http://127.0.0.1:${server.address().port}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => { stderr += chunk; });
      const status = await new Promise((resolve) => child.on('close', resolve));
      assert.equal(status, 1, stderr);
      assert.match(stderr, /^transport error: /);
      assert.match(stderr, /the callback may have been placed: wait for its end event before trying again/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('webhook_receiver.js: the helper hands each event over once, refuses a wrong token and junk', async () => {
    const child = spawn(process.execPath, [path.join(EXAMPLES, 'webhook_receiver.js')], {
      env: { ...process.env, PORT: '0', WEBHOOK_TOKEN: 's3cret', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = readline.createInterface({ input: child.stdout });
    const waiting = [];
    const got = [];
    lines.on('line', (line) => {
      got.push(line);
      for (const w of waiting.splice(0)) w();
    });
    const nextLine = async (pattern) => {
      for (;;) {
        const found = got.find((l) => pattern.test(l));
        if (found) return found;
        await new Promise((resolve, reject) => {
          waiting.push(resolve);
          setTimeout(() => reject(new Error(`no line matching ${pattern}; got ${JSON.stringify(got)}`)), 10000).unref();
        });
      }
    };
    try {
      const [, url] = (await nextLine(/^listening on /)).match(/^listening on (\S+)/);
      sb.setCallbackUrl(`${url}?token=s3cret`);
      const client = new Client(sb.clientOptions());
      const { callId } = await client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60, userData: 'hook-1' });
      const delivery = await sb.waitForDelivery(callId);
      assert.equal(delivery.delivered, true);
      assert.equal(delivery.attempts.length, 1);
      await nextLine(new RegExp(`^callback ${callId} ended: connected, talked 5 s, user data hook-1$`));

      // The platform delivers again when it did not see the 200 in time: the same bytes,
      // answered 200 and not handed over again.
      const again = await fetch(`${url}?token=s3cret`, { method: 'POST', body: Buffer.from(delivery.bodyHex, 'hex') });
      assert.equal(again.status, 200);
      // A later event's line comes after anything the re-send could have printed.
      const other = await client.duoCallback({ to1: '13800000001', to2: '13800000002', maxCallDuration: 60, userData: 'hook-2' });
      await sb.waitForDelivery(other.callId);
      await nextLine(new RegExp(`^callback ${other.callId} ended: .*user data hook-2$`));
      assert.equal(got.filter((l) => l.includes(`callback ${callId} ended`)).length, 1);

      assert.equal((await fetch(url, { method: 'POST', body: Buffer.from(delivery.bodyHex, 'hex') })).status, 401);
      assert.equal((await fetch(`${url}?token=guess`, { method: 'POST', body: 'x' })).status, 403);
      assert.equal((await fetch(`${url}?token=s3cret`, { method: 'POST', body: 'not json' })).status, 400);
      assert.equal((await fetch(url)).status, 405);
    } finally {
      sb.setCallbackUrl(null);
      child.kill();
    }
  });
});

test('callback.ts compiles with tsc --strict and runs', () => {
  const tsc = path.join(PACKAGE, 'node_modules', 'typescript', 'bin', 'tsc');
  const outDir = path.join(EXAMPLES, 'node_modules', '.ts-build');
  const built = run([tsc, '-p', EXAMPLES, '--noEmit', 'false', '--outDir', outDir]);
  assert.equal(built.status, 0, built.stdout + built.stderr);
  const r = run([path.join(outDir, 'callback.js')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^placed callback [0-9a-f]{32}$/m);
  assert.match(r.stdout, /^webhook delivered: true$/m);
  assert.match(r.stdout, /ended: connected after 12 s \(user data order-42\)$/m);
  assert.match(r.stdout, /^refused before sending \(field to2\)/m);
});

test("the README's snippet runs against the sandbox", () => {
  const readme = fs.readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
  const snippet = readme.match(/```js\n([\s\S]*?)```/)[1];
  assert.match(snippet, /duoCallback/);
  // Run from the package's own folder, where `require('yunhuni')` resolves to this package.
  const r = run(['--input-type=commonjs', '-e', snippet], { cwd: PACKAGE });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^placed callback [0-9a-f]{32}$/m);
  assert.match(r.stdout, /^duo_callback\.end connected 5 s order-42$/m);
  // And the result it shows is what it prints.
  assert.match(readme, /duo_callback\.end connected 5 s order-42/);
  assert.ok(parseEvent);
});
