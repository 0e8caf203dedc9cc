#!/usr/bin/env node
'use strict';
// A webhook receiver in an Express app (`webhook.expressMiddleware`): POST /webhook gets the
// platform's events, typed; the 200 (or the 500 that asks for a re-send when the handler
// throws), the URL token and the repeated deliveries are the middleware's business.
//
//   npm install express ioredis
//   PORT=8000 WEBHOOK_TOKEN=s3cret REDIS_URL=redis://127.0.0.1:6379 node webhook_express.js
//
// Callback URL: http://your-host:8000/webhook?token=s3cret. Run as many processes as you like
// behind a load balancer: with REDIS_URL, an event is handled by one of them once.
//
// The middleware reads the raw body itself: mount it BEFORE express.json() (or any other
// parser) reaches its route, so that a wrong token is refused before the body is read and the
// platform's ISO-8859-1 bytes arrive exact. (After a parser it still works; see node/README.md.)

const express = require('express');
const { webhook } = require('yunhuni');

async function onCallEnd(ev, delivery) {
  if (ev.type === 'duo_callback.end') {
    console.log(`callback ${ev.id} ended: ${ev.outcome} after ${ev.talkSeconds} s (${ev.userData ?? 'no user data'})`);
  } else {
    console.log(`${ev.event ?? ev.type} (${delivery.key})`);
  }
}

function redisStore() {
  if (!process.env.REDIS_URL) return undefined; // in-process: fine for one process
  const Redis = require('ioredis');
  return new webhook.RedisStore(new Redis(process.env.REDIS_URL));
}

async function start({ receiver, onEvent = onCallEnd, port = Number(process.env.PORT ?? 8000), host = '127.0.0.1' } = {}) {
  receiver ??= new webhook.Receiver({ token: process.env.WEBHOOK_TOKEN || undefined, store: redisStore() });
  const app = express();
  app.post('/webhook', webhook.expressMiddleware(receiver, onEvent));
  // The rest of the app parses JSON as usual.
  app.use(express.json());
  app.get('/health', (req, res) => res.json({ ok: true }));
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (err) => (err ? reject(err) : resolve(s)));
  });
  return `http://${host}:${server.address().port}/webhook`;
}

if (require.main === module) {
  start().then((url) => console.log(`listening on ${url}`));
}

module.exports = { start };
