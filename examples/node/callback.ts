// The whole voice-callback flow in TypeScript, against a sandbox started in-process:
// place a callback, receive its end event on a node:http webhook, and read it.
//
//   tsc -p examples/node && node ...   (or any TypeScript runner)

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, YunhuniError, parseEvent, type Event } from 'yunhuni';
import { Sandbox } from 'yunhuni/testing';

function describe(ev: Event): string {
  switch (ev.event) {
    case 'duo_callback.end':
      return `callback ${ev.id} ended: ${ev.outcome} after ${ev.talkSeconds} s (user data ${ev.userData ?? '-'})`;
    case 'notify_call.end':
    case 'verify_call.end':
      return `${ev.event} ${ev.id}: ended by ${ev.endedBy ?? 'unknown'}`;
    default:
      // The other typed events (ivr.get_end, ...), the ivr_start request, and the rest kept whole.
      return ev.type === 'event' ? `event ${ev.event} with ${Object.keys(ev.fields).length} fields` : `${ev.type} ${JSON.stringify(ev)}`;
  }
}

async function main(): Promise<void> {
  const received: Event[] = [];
  const hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200).end();
      received.push(parseEvent(Buffer.concat(chunks)));
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const { port } = hook.address() as AddressInfo;

  const sandbox = await Sandbox.start({ timeScale: 50, callbackUrl: `http://127.0.0.1:${port}/` });
  try {
    // Party 2 answers after 3 s of ringing and hangs up after 12 s of talking.
    sandbox.setBehavior('13800000002', { answer: 'after', ms: 3000, hangupAfterMs: 12000 });
    const client = new Client(sandbox.clientOptions({ timeoutMs: 10000 }));
    const { callId } = await client.duoCallback({
      to1: '13900000005', // a reserved sandbox number: answers, never hangs up
      to2: '13800000002',
      maxCallDuration: 600,
      userData: 'order-42',
    });
    console.log(`placed callback ${callId}`);

    const delivery = await sandbox.waitForDelivery(callId, { timeoutMs: 10000 });
    console.log(`webhook delivered: ${delivery.delivered}`);
    for (const ev of received) console.log(describe(ev));

    try {
      await client.duoCallback({ to1: '13800000001', to2: '13800000001', maxCallDuration: 600 });
    } catch (err) {
      if (err instanceof YunhuniError && err.kind === 'validation') {
        console.log(`refused before sending (field ${err.field}): ${err.message}`);
      } else {
        throw err;
      }
    }
  } finally {
    await sandbox.close();
    hook.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
