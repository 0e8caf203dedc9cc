'use strict';
// An IVR menu served with node:http: three levels of <get>, a dial, a recording.
//
//   node examples/node/ivr_menu.js --port 8080   # serve it; give the platform http://HOST:8080/ivr
//   node examples/node/ivr_menu.js --demo        # and the sandbox: a caller presses 1, then 2
//
// The platform POSTs ivr_start (and, when it is the same URL, the ivr.* events) to the URL, then
// GETs each <next> URL with the results of the action that ran. The same code runs against the
// platform and against the sandbox of 'yunhuni/testing'.
//
//   main menu   1 sales     1 orders   1 order status, then goodbye
//                                      2 back to the main menu
//                           2 a sales agent (dial), then goodbye
//               2 support   1 opening hours (the call ends after it)
//                           2 leave a message (record), then thanks
//               anything else: goodbye

const http = require('node:http');
const { ivr, parseEvent, parseIvrNext, YunhuniError } = require('yunhuni');

const { Response } = ivr;

/** The number a caller reaches with "sales, 2". */
const SALES_AGENT = '13800000099';

const mainMenu = (base) => new Response().get({ maxKeys: 1, finishKeys: '#' }).play('main-menu.wav').next(`${base}/ivr/main`);
const goodbye = () => new Response().play('goodbye.wav').endCall();

/** The document answering the <next> request to `path`; `next.keys` holds the keys pressed. */
function step(base, path, next) {
  const keys = next.keys;
  switch (path) {
    case '/ivr/main':
      if (keys === '1') return new Response().get({ maxKeys: 1 }).play('sales-menu.wav').next(`${base}/ivr/sales`);
      if (keys === '2') return new Response().get({ maxKeys: 1 }).play('support-menu.wav').next(`${base}/ivr/support`);
      return goodbye();
    case '/ivr/sales':
      if (keys === '1') return new Response().get({ maxKeys: 1 }).play('orders-menu.wav').next(`${base}/ivr/orders`);
      if (keys === '2') return new Response().dial({ maxDialDuration: 30 }).number(SALES_AGENT).play('ringing.wav').next(`${base}/ivr/goodbye`);
      return goodbye();
    case '/ivr/orders':
      if (keys === '1') return new Response().play('order-status.wav').next(`${base}/ivr/goodbye`);
      if (keys === '2') return mainMenu(base);
      return goodbye();
    case '/ivr/support':
      if (keys === '1') return new Response().play('opening-hours.wav').endCall();
      if (keys === '2') return new Response().record({ maxDuration: 60, beeping: true, finishKeys: '#' }).next(`${base}/ivr/recorded`);
      return goodbye();
    case '/ivr/recorded':
      console.log(`message recorded: ${next.recordId}`);
      return new Response().play('thanks.wav').endCall();
    case '/ivr/goodbye':
      return goodbye();
    default:
      return new Response().hangup();
  }
}

/**
 * The request handler. `onEvent` gets each webhook event, typed (`ev.type`: 'ivr.get_end', ...).
 * `log` gets a line per request and reply.
 */
function createHandler({ onEvent = () => {}, log = () => {} } = {}) {
  return (req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const base = `http://${req.headers.host}`;
      const url = new URL(req.url, base);
      const send = (status, body, type) => {
        res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      };
      const xml = (doc) => {
        const text = doc.toXml();
        log(`reply ${text}`);
        send(200, text, 'text/xml; charset=utf-8');
      };
      try {
        if (size > 1024 * 1024) return send(413, '', 'text/plain');
        if (req.method === 'POST') {
          const ev = parseEvent(Buffer.concat(chunks));
          if (ev.type === 'ivr_start') {
            log(`ivr_start ${ev.callId} from ${ev.from} (${ev.kind})`);
            return xml(mainMenu(base));
          }
          onEvent(ev);
          return send(200, '', 'text/plain');
        }
        if (req.method === 'GET' && url.pathname.startsWith('/ivr/')) {
          const next = parseIvrNext(req.url);
          log(`next ${url.pathname} after ${next.action}: keys=${next.keys} error=${next.error}`);
          return xml(step(base, url.pathname, next));
        }
        return send(404, '', 'text/plain');
      } catch (err) {
        if (err instanceof YunhuniError && err.kind === 'decode') return send(400, '', 'text/plain');
        throw err;
      }
    });
  };
}

async function demo() {
  const { Sandbox } = require('yunhuni/testing');
  const events = [];
  const server = http.createServer(createHandler({ onEvent: (ev) => events.push(ev), log: console.log }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const sb = await Sandbox.start({ timeScale: 50, callbackUrl: `${url}/events`, ivrUrl: `${url}/ivr` });
  try {
    sb.setBehavior('13600000001', { answer: 'after', ms: 0, keys: ['1', '2'] }); // sales, then a sales agent
    sb.setBehavior(SALES_AGENT, { answer: 'after', ms: 2000, hangupAfterMs: 20000 });
    const callId = sb.inboundCall('13600000001', '02088880000');
    await sb.waitForEnd(callId, 30000);
    const deadline = Date.now() + 5000;
    while (!events.some((e) => e.type === 'ivr.call_end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    console.log(`call ${callId} ended; the events, typed:`);
    for (const ev of events) console.log(`  ${ev.type} ${JSON.stringify(ev)}`);
  } finally {
    await sb.close();
    server.close();
  }
}

module.exports = { createHandler, step, SALES_AGENT };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--demo')) {
    demo().catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
  } else if (args.includes('--port')) {
    const port = Number(args[args.indexOf('--port') + 1]);
    http.createServer(createHandler({ onEvent: (ev) => console.log(`event ${ev.type} ${JSON.stringify(ev)}`), log: console.log })).listen(port, () => {
      console.log(`IVR menu on http://0.0.0.0:${port}/ivr`);
    });
  } else {
    console.log('usage: node ivr_menu.js --port PORT | --demo');
  }
}
