#!/usr/bin/env node
'use strict';
// A webhook receiver in a Fastify app (`webhook.fastifyPlugin`): the plugin adds POST /webhook,
// checks the URL token in the route's onRequest hook (before the body is read), reads the raw
// body with a content-type parser of its own (in its encapsulated context: the rest of the app
// keeps Fastify's JSON parser), and answers 200, or 500 when the handler throws so that the
// platform sends the event again.
//
//   npm install fastify ioredis
//   PORT=8000 WEBHOOK_TOKEN=s3cret REDIS_URL=redis://127.0.0.1:6379 node webhook_fastify.js
//
// Callback URL: http://your-host:8000/webhook?token=s3cret.

const Fastify = require('fastify');
const { webhook } = require('yunhuni');

async function record(ev) {
  const what = ev.type === 'duo_callback.end' ? `${ev.outcome}, ${ev.talkSeconds} s` : ev.event ?? ev.type;
  console.log(`event ${ev.type} ${ev.id ?? ''}: ${what}`);
}

async function start({ receiver, onEvent = record, port = Number(process.env.PORT ?? 8000), host = '127.0.0.1' } = {}) {
  if (receiver === undefined) {
    const store = process.env.REDIS_URL ? new webhook.RedisStore(new (require('ioredis'))(process.env.REDIS_URL)) : undefined;
    receiver = new webhook.Receiver({ token: process.env.WEBHOOK_TOKEN || undefined, store });
  }
  const app = Fastify();
  app.register(webhook.fastifyPlugin, { receiver, onEvent, path: '/webhook' });
  app.get('/health', async () => ({ ok: true }));
  await app.listen({ port, host });
  return `http://${host}:${app.server.address().port}/webhook`;
}

if (require.main === module) {
  start().then((url) => console.log(`listening on ${url}`));
}

module.exports = { start };
