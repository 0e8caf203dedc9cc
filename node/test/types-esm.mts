// Type test of the package from an ES module (TypeScript's node16 resolution of "exports").
import yunhuni, { Client, parseEvent, type Event } from 'yunhuni';
import { Sandbox } from 'yunhuni/testing';

const sb = await Sandbox.start();
const client: Client = new yunhuni.Client(sb.clientOptions());
const { callId } = await client.duoCallback({ to1: '1', to2: '2', maxCallDuration: 60 });
const ev: Event = parseEvent(await sb.waitForEnd(callId));
if (ev.event === 'duo_callback.end') console.log(ev.outcome, ev.talkSeconds);
await sb.close();
