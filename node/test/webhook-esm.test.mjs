// `webhook` from the ES module entry: the CommonJS object, usable as is.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { webhook } from 'yunhuni';

const require = createRequire(import.meta.url);

test('webhook is the same object from import and require, and receives', async () => {
  assert.equal(webhook, require('yunhuni').webhook);
  const receiver = new webhook.Receiver({ token: 'k' });
  const body = '{"action":"event_notify","id":"esm-1","event":"duo_callback.end","hangup_by":"2"}';
  const delivery = await receiver.receive('token=k', body);
  assert.equal(delivery.event.hangupBy, 2);
  assert.equal((await receiver.receive('token=k', body)).duplicate, true);
});
