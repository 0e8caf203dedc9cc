// Type test of webhook.d.ts: compiled with `tsc -p test --strict --noEmit` (scripts/test-node),
// never run. Each `@ts-expect-error` line must be an error.

import * as http from 'node:http';
import Fastify from 'fastify';
import Redis from 'ioredis';
import { webhook, ivr, type Event, type DuoCallbackEndEvent } from 'yunhuni';

const receiver = new webhook.Receiver({ token: 's3cret', tokenParam: 'token', maxBody: 64 * 1024 });
const inMemory = new webhook.Receiver({ store: new webhook.MemoryStore({ capacity: 1000, ttlMs: 60_000 }) });
const none = new webhook.Receiver({ store: null });
const shared = new webhook.Receiver({ store: new webhook.RedisStore(new Redis('redis://127.0.0.1:6379'), { ttlMs: 3_600_000 }) });
const custom = new webhook.Receiver({ store: { claim: (key: string) => key.length > 0, release: async () => {} } });
const limit: number = receiver.maxBody + inMemory.maxBody + none.maxBody + shared.maxBody + custom.maxBody;
const prefix: string = webhook.constants.redisKeyPrefix;
// @ts-expect-error maxBody is a number
new webhook.Receiver({ maxBody: '1mb' });
// @ts-expect-error a store has claim and release
new webhook.Receiver({ store: { claim: () => true } });
// @ts-expect-error RedisStore needs a client
new webhook.RedisStore();

async function direct(): Promise<void> {
  receiver.checkHead('token=s3cret', 300);
  receiver.checkHead(null, null);
  const delivery = await receiver.receive('token=s3cret', Buffer.from('{}'));
  const ev: Event = delivery.event;
  if (ev.type === 'duo_callback.end') {
    const end: DuoCallbackEndEvent = ev;
    const talked: number = end.talkSeconds;
  }
  const key: string = delivery.key;
  const again: boolean = delivery.duplicate;
  const answer: [number, string] = [delivery.status, delivery.body];
  await receiver.release(key);
}

// node:http
http.createServer(webhook.httpHandler(receiver, async (ev, delivery, req) => {
  const url: string | undefined = req.url;
  if (ev.type === 'ivr_start') return new ivr.Response().play('welcome.wav').endCall();
  if (ev.type === 'notify_call.end') console.log(ev.endedBy, delivery.key);
  return undefined;
}, { answerFirst: false, onError: (err, delivery) => console.error(err, delivery?.key) }));
// @ts-expect-error the handler comes second
webhook.httpHandler(async () => {}, receiver);

// Express-style
const middleware = webhook.expressMiddleware(receiver, (ev) => { console.log(ev.type); });
const mw: (req: webhook.ExpressLikeRequest, res: http.ServerResponse, next: (err?: unknown) => void) => void = middleware;

// Fastify: the plugin is accepted by register(), with its options checked.
const app = Fastify();
app.register(webhook.fastifyPlugin, { receiver, onEvent: async (ev) => { console.log(ev.type); }, path: '/webhook' });
// @ts-expect-error the receiver is required
app.register(webhook.fastifyPlugin, { onEvent: async () => {} });
