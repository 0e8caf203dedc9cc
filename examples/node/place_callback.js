#!/usr/bin/env node
'use strict';
// Places a voice callback: the platform calls TO1, then TO2, and connects them.
//
//   YUNHUNI_APP_ID=... YUNHUNI_CERT_ID=... YUNHUNI_SECRET_KEY=... \
//     node place_callback.js 13800000001 13800000002 [user-data]
//
// Set YUNHUNI_BASE_URL to try it against a sandbox (`cargo run -p yunhuni-sandbox` prints its
// URL and credentials), YUNHUNI_LOG=debug to see each request on stderr. The end of the call
// arrives at your webhook: see webhook_receiver.js.

const { Client, YunhuniError } = require('yunhuni');

async function main() {
  const [to1 = '13800000001', to2 = '13800000002', userData] = process.argv.slice(2);
  const client = Client.fromEnv();
  // This call may take 10 seconds at most (the client's own limit is 30).
  const call = await client.duoCallback({ to1, to2, maxCallDuration: 600, userData }, { timeoutMs: 10000 });
  console.log(`placed callback ${call.callId}${call.userData ? ` (user data ${call.userData})` : ''}`);
}

main().catch((err) => {
  if (err instanceof YunhuniError) {
    // kind is one of validation, api, auth, http, timeout, transport, decode.
    const detail = [err.code && `code ${err.code}`, err.status && `HTTP ${err.status}`, err.field && `field ${err.field}`];
    console.error(`${err.kind} error: ${err.message}${detail.some(Boolean) ? ` (${detail.filter(Boolean).join(', ')})` : ''}`);
    if (err.maybeSent) {
      // The request was written before the connection broke or the time ran out: the call may
      // have been placed. Running this again could ring both phones twice.
      console.error('the callback may have been placed: wait for its end event before trying again');
    }
  } else {
    console.error(err);
  }
  process.exitCode = 1;
});
