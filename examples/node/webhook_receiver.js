#!/usr/bin/env node
'use strict';
// A webhook receiver on node:http with the SDK's helper (`webhook.httpHandler`): it refuses a
// POST without the URL token before reading it, reads the raw body (the platform sends
// ISO-8859-1), hands your function the typed event, answers 200 when it returns, and drops the
// platform's repeated deliveries. A handler that throws gets a 500 answered, so the platform
// sends the event again (up to four attempts in all).
//
//   PORT=8000 WEBHOOK_TOKEN=s3cret node webhook_receiver.js
//
// Then set http://your-host:8000/?token=s3cret as the app's callback URL (for a sandbox:
// `yunhuni-sandbox --callback-url 'http://127.0.0.1:8000/?token=s3cret'`). With REDIS_URL set
// (`redis://127.0.0.1:6379`, and `npm install ioredis`), every process of the app shares what
// was already handled; without it, each process remembers its own.

const http = require('node:http');
const { webhook } = require('yunhuni');

/** What the app does with each event (the handler may be async; keep it under 5 s). */
function handle(ev) {
  switch (ev.type) {
    case 'duo_callback.end':
      console.log(`callback ${ev.id} ended: ${ev.outcome}, talked ${ev.talkSeconds} s, user data ${ev.userData}`);
      break;
    case 'notify_call.end':
    case 'verify_call.end':
      console.log(`${ev.event} ${ev.id}: ended by ${ev.endedBy ?? 'unknown'}${ev.error ? `, error ${ev.error}` : ''}`);
      break;
    default:
      // Every other typed event (ivr.*, conf.*, ...) has its keys; the rest are kept whole in `fields`.
      console.log(`event ${ev.event ?? ev.type}: ${JSON.stringify(ev.fields ?? ev)}`);
  }
}

/** The receiver of this app: the token from WEBHOOK_TOKEN, and Redis when REDIS_URL is set. */
function receiverFromEnv() {
  const token = process.env.WEBHOOK_TOKEN || undefined;
  if (!process.env.REDIS_URL) return new webhook.Receiver({ token });
  const Redis = require('ioredis');
  return new webhook.Receiver({ token, store: new webhook.RedisStore(new Redis(process.env.REDIS_URL)) });
}

/** Starts the server; resolves to the URL to give the platform (without the token). */
async function start({ receiver = receiverFromEnv(), onEvent = handle, port = Number(process.env.PORT ?? 8000), host = '127.0.0.1' } = {}) {
  const server = http.createServer(webhook.httpHandler(receiver, onEvent));
  await new Promise((resolve) => server.listen(port, host, resolve));
  return `http://${host}:${server.address().port}/`;
}

if (require.main === module) {
  start().then((url) => console.log(`listening on ${url}`));
}

module.exports = { start, handle };
