'use strict';
// One process of a webhook app for webhook-apps.test.js: starts the example app named by
// argv[2] (examples/node/webhook_*.js, as a user would run it) with a Receiver on a shared
// Redis store and a handler that fails or stalls for a share of deliveries, then prints
// `listening on <url>`.
//
// Environment: REDIS_URL, WEBHOOK_TOKEN, RUN (the prefix of this run's keys in Redis),
// SLOW_MS (how long a stalled handler takes), FAULTS (`off`: no failures, no stalls). Per delivery (by the last hex digit of its key,
// so the same for every process): digit % 4 == 0 fails its first two tries, == 1 its first;
// digit == 2 stalls its first try for SLOW_MS (beyond the platform's timeout, so the platform
// sends it again while it runs). Each handled event is RPUSHed to `<RUN>:handled`; handlers
// running are counted in `<RUN>:running`.

const path = require('node:path');
const Redis = require('ioredis');
const { webhook } = require('..');

const { REDIS_URL, WEBHOOK_TOKEN, RUN } = process.env;
const SLOW_MS = Number(process.env.SLOW_MS ?? 3000);
const FAULTS = process.env.FAULTS !== 'off';
const redis = new Redis(REDIS_URL);

async function onEvent(ev, delivery) {
  const id = ev.id ?? ev.callId ?? null;
  if (ev.type === 'ivr_start') {
    // The IVR request (same URL, as on the platform when the app has no IVR URL of its own):
    // the answer is the document.
    return new (require('..').ivr.Response)().play('welcome.wav').endCall();
  }
  await redis.incr(`${RUN}:running`);
  try {
    const tries = await redis.incr(`${RUN}:tries:${delivery.key}`);
    const digit = FAULTS ? parseInt(delivery.key.slice(-1), 16) : 15;
    if ((digit % 4 === 0 && tries <= 2) || (digit % 4 === 1 && tries === 1)) {
      throw new Error(`deliberate failure (try ${tries})`);
    }
    if (digit === 2 && tries === 1) await new Promise((r) => setTimeout(r, SLOW_MS));
    await redis.rpush(`${RUN}:handled`, JSON.stringify({ pid: process.pid, key: delivery.key, event: ev.event, id, tries }));
  } finally {
    await redis.decr(`${RUN}:running`);
  }
  return undefined;
}

const example = require(path.resolve(process.argv[2]));
const receiver = new webhook.Receiver({ token: WEBHOOK_TOKEN, store: new webhook.RedisStore(redis) });
example.start({ receiver, onEvent, port: 0 }).then((url) => console.log(`listening on ${url}`));
