#!/usr/bin/env node
'use strict';
// A webhook receiver on node:http: it answers 200 at once, parses each event, and drops
// repeated deliveries (the platform tries an event up to four times when it gets no 200).
//
//   PORT=8000 node webhook_receiver.js
//
// Then set http://your-host:8000/ as the app's callback URL (for a sandbox:
// `yunhuni-sandbox --callback-url http://127.0.0.1:8000/`).

const http = require('node:http');
const { parseEvent, YunhuniError } = require('yunhuni');

const MAX_BODY_BYTES = 1024 * 1024;
const REMEMBERED = 10000;

/** Keys of the events already handled, oldest first (a Map keeps insertion order). */
const seen = new Map();

function firstTime(key) {
  if (seen.has(key)) return false;
  seen.set(key, true);
  if (seen.size > REMEMBERED) seen.delete(seen.keys().next().value);
  return true;
}

function handle(ev) {
  switch (ev.event) {
    case 'duo_callback.end':
      console.log(`callback ${ev.id} ended: ${ev.outcome}, talked ${ev.talkSeconds} s, user data ${ev.userData}`);
      break;
    case 'notify_call.end':
    case 'verify_call.end':
      console.log(`${ev.event} ${ev.id}: ended by ${ev.endedBy ?? 'unknown'}${ev.error ? `, error ${ev.error}` : ''}`);
      break;
    default:
      // The other typed events (ivr.get_end, ...) have their keys; the rest are kept whole in `fields`.
      console.log(`event ${ev.type === 'event' ? ev.event : ev.type}: ${JSON.stringify(ev.fields ?? ev)}`);
  }
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    // Answer first: the platform waits for nothing else, and a slow answer means a retry.
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    let ev;
    try {
      ev = parseEvent(Buffer.concat(chunks)); // the raw bytes: the platform sends ISO-8859-1
    } catch (err) {
      if (!(err instanceof YunhuniError)) throw err;
      console.error(`ignored a body that is not an event: ${err.message}`);
      return;
    }
    const key = `${ev.event}:${ev.id ?? (ev.fields && ev.fields.id) ?? JSON.stringify(ev)}`;
    if (!firstTime(key)) {
      console.log(`duplicate delivery of ${ev.event} ${ev.id ?? ''} dropped`);
      return;
    }
    handle(ev);
  });
});

server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}/`);
});
