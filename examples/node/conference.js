'use strict';
// A conference from start to finish: create it, invite three numbers, play a file to everyone,
// record, dismiss it, then download the recording.
//
//     node examples/node/conference.js [--out recording.wav]
//
// It runs against the in-process sandbox (the platform simulated on 127.0.0.1, 100 times
// faster than real time) and a webhook receiver of its own (node:http on 127.0.0.1): the
// conference's events (conf.*) and recording.url_generate arrive there as the platform would
// POST them, and are read with parseEvent. Against the real platform, build the client with
// `new Client({ appId, certId, secretKey })` and point the app's callback URL at your receiver.

const http = require('node:http');
const fs = require('node:fs');
const { Client, YunhuniError, parseEvent } = require('yunhuni');
const { Sandbox } = require('yunhuni/testing');

/** The application's webhook: every event POSTed to it, parsed, in arrival order. */
async function startWebhooks() {
  const seen = [];
  const waiting = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const event = parseEvent(Buffer.concat(chunks));
      console.log(`  event ${event.event}`);
      seen.push(event);
      for (const w of waiting.splice(0)) w();
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/yunhuni/events`,
    /** The first event of `type` matching `match`, waiting for it. */
    async waitFor(type, match = () => true, timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.find((e) => e.type === type && match(e));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms`);
        await new Promise((resolve) => { waiting.push(resolve); setTimeout(resolve, 50); });
      }
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

async function runConference(client, hooks, numbers) {
  const { confId } = await client.confCreate({ maxDuration: 600, maxParts: numbers.length, userData: 'weekly-sync' });
  console.log(`conference ${confId}`);
  await hooks.waitFor('conf.create.succ', (e) => e.id === confId);

  const members = [];
  for (const to of numbers) members.push((await client.confInviteCall({ confId, to, maxDuration: 600 })).callId);
  for (const callId of members) {
    const joined = await hooks.waitFor('conf.joined', (e) => e.callId === callId);
    console.log(`  ${callId} joined at ${new Date(joined.joinTime).toISOString()}`);
  }

  await client.confStartPlay({ confId, files: ['welcome.wav', 'agenda.wav'] });
  await hooks.waitFor('conf.play_end', (e) => e.id === confId);

  await client.confStartRecord({ confId });
  await new Promise((resolve) => setTimeout(resolve, 100)); // ten seconds at the sandbox's speed
  await client.confDismiss({ confId });
  await hooks.waitFor('conf.record_end', (e) => e.id === confId);
  await hooks.waitFor('conf.end', (e) => e.id === confId);
  for (const callId of members) await hooks.waitFor('conf.quit', (e) => e.callId === callId);

  // The recording: list it, ask for its URL, and wait for recording.url_generate.
  const page = await client.recordingList({ start: '2000-01-01 00:00:00', end: '2999-12-31 23:59:59', pageSize: 100 });
  const recording = (page.result ?? []).reduce((a, b) => (b.date > a.date ? b : a));
  console.log(`recording ${recording.id}: ${recording.duration} s, ${recording.size} bytes`);
  let { state, url } = await client.recordingUrlGen({ id: recording.id });
  if (state === 0) url = (await hooks.waitFor('recording.url_generate', (e) => e.id === recording.id)).url;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download failed: HTTP ${response.status}`);
  const data = Buffer.from(await response.arrayBuffer());
  console.log(`downloaded ${data.length} bytes from ${url}`);
  return data;
}

async function main(argv) {
  let out = null;
  const numbers = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--out') out = argv[(i += 1)];
    else numbers.push(argv[i]);
  }
  const to = numbers.length > 0 ? numbers : ['13800000001', '13800000002', '13800000003'];
  const hooks = await startWebhooks();
  const sb = await Sandbox.start({ timeScale: 100, callbackUrl: hooks.url });
  try {
    for (const n of to) sb.setBehavior(n, { answer: 'after', ms: 2000 }); // answer, never hang up
    const data = await runConference(new Client(sb.clientOptions()), hooks, to);
    if (data.subarray(0, 4).toString('latin1') !== 'RIFF' || data.subarray(8, 12).toString('latin1') !== 'WAVE') {
      console.error('the download is not a WAV file');
      return 1;
    }
    if (out) {
      fs.writeFileSync(out, data);
      console.log(`saved ${out}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof YunhuniError) {
      console.error(`conference failed (${e.kind}): ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await sb.close();
    await hooks.close();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
