'use strict';
// ivr: every document vector built through the generated methods (and through core's reader
// of the description), every option of every method written by some vector, the two requests
// the platform sends (ivr_start through parseEvent, the <next> query), the typed ivr.* events,
// and bad input.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ivr, parseEvent, parseIvrNext, YunhuniError } = require('yunhuni');
const { camelKeys } = require('./helpers.js');

const IVR = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'vectors', 'ivr.json'), 'utf8'));
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const { Response } = ivr;

class Inexpressible extends Error {}

/** The element's parameter names as the generated method declares them (text, required, options). */
function parameters(fn) {
  const source = fn.toString();
  return source.slice(source.indexOf('(') + 1, source.indexOf(')')).split(',').map((p) => p.trim()).filter(Boolean);
}

/** Calls the method of `step` for the element described by `el`; returns the new step. */
function add(step, el) {
  if (el === null || typeof el !== 'object' || typeof el.name !== 'string') throw new Inexpressible('element');
  const method = step[camel(el.name)];
  if (typeof method !== 'function' || ['next', 'endCall', 'toXml', 'validate', 'toJSON'].includes(camel(el.name))) {
    throw new Inexpressible(el.name);
  }
  const attrs = el.attrs ?? {};
  if (typeof attrs !== 'object' || Array.isArray(attrs)) throw new Inexpressible('attrs');
  const options = {};
  for (const [k, v] of Object.entries(attrs)) options[camel(k)] = v;
  const args = [];
  for (const p of parameters(method)) {
    if (p === 'options') {
      args.push(options);
    } else if (['file', 'keys', 'number'].includes(p)) {
      args.push(el.text);
    } else {
      args.push(options[p]);
      delete options[p];
    }
  }
  if (el.text !== undefined && !parameters(method).some((p) => ['file', 'keys', 'number'].includes(p))) {
    throw new Inexpressible('text');
  }
  if (Object.keys(options).length > 0 && !parameters(method).includes('options')) throw new Inexpressible('options');
  const next = method.apply(step, args);
  for (const child of el.children ?? []) add(next, child);
  return next;
}

function build(desc) {
  if (desc === null || typeof desc !== 'object' || Object.keys(desc).some((k) => !['actions', 'next', 'end_call'].includes(k))) {
    throw new Inexpressible('response');
  }
  const response = new Response();
  if (desc.actions !== undefined && !Array.isArray(desc.actions)) throw new Inexpressible('actions');
  for (const action of desc.actions ?? []) add(response, action);
  if (desc.next !== undefined && desc.next !== null) response.next(desc.next);
  if (desc.end_call === true) response.endCall();
  else if (desc.end_call !== undefined && desc.end_call !== false && desc.end_call !== null) throw new Inexpressible('end_call');
  return response;
}

const jsField = (field) => field.split('.').map((part) => part.replace(/^([a-z0-9_]+)/, (m) => camel(m))).join('.');

test('every document vector, through the generated methods', () => {
  let built = 0;
  for (const c of IVR.documents) {
    let response;
    try {
      response = build(c.response);
    } catch (e) {
      if (e instanceof Inexpressible) continue;
      throw e;
    }
    built++;
    if (c.expect.xml !== undefined) {
      assert.equal(response.toXml(), c.expect.xml, c.name);
      assert.equal(String(response), c.expect.xml, c.name);
      assert.equal(response.endsCall, !c.expect.xml.includes('<next>'), c.name);
    } else {
      assert.throws(() => response.toXml(), (e) => {
        assert.ok(e instanceof YunhuniError, c.name);
        assert.equal(e.kind, 'validation', c.name);
        // A value JSON cannot carry is named where the description holds it; every other refusal
        // names the element and attribute, in camelCase.
        if (!e.field.startsWith('response.')) assert.equal(e.field, jsField(c.expect.field), `${c.name}: ${e.message}`);
        return true;
      });
    }
  }
  assert.ok(built >= 100, `built ${built}`);
});

test('every option of every generated method is written by a vector', () => {
  const written = new Set();
  const walk = (el) => {
    if (el === null || typeof el !== 'object') return;
    for (const k of Object.keys(el.attrs ?? {})) written.add(`${camel(el.name)}.${camel(k)}`);
    if (el.text !== undefined) written.add(`${camel(el.name)}.#text`);
    for (const child of el.children ?? []) walk(child);
  };
  for (const c of IVR.documents) if (c.expect.xml !== undefined) for (const a of c.response.actions ?? []) walk(a);
  const declared = new Set();
  const probe = new Response();
  const classes = [Response, ...Object.values(ivr).filter((v) => typeof v === 'function' && v.prototype && v !== Response)];
  for (const cls of classes) {
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      if (name === 'constructor') continue;
      const fn = cls.prototype[name];
      if (typeof fn !== 'function') continue;
      for (const p of parameters(fn)) {
        if (p === 'options') continue;
        declared.add(`${name}.${['file', 'keys', 'number'].includes(p) ? '#text' : p}`);
      }
    }
  }
  void probe;
  // The options are read from the .d.ts interfaces' keys: every one a vector writes.
  const dts = fs.readFileSync(path.join(__dirname, '..', 'ivr.d.ts'), 'utf8');
  for (const [, iface, body] of dts.matchAll(/export interface (\w+)Options \{([^}]*)\}/g)) {
    const el = iface.replace(/^(Dial|Connect|Get|Playlist|Enqueue|Route)(?=[A-Z])/, '');
    for (const [, key] of body.matchAll(/^\s+(\w+)\?:/gm)) declared.add(`${el[0].toLowerCase()}${el.slice(1)}.${key}`);
  }
  const missing = [...declared].filter((d) => !written.has(d));
  assert.deepEqual(missing, []);
  assert.ok(declared.size > 30, `${declared.size}`);
});

test('the example reads like the document', () => {
  const xml = new Response().get({ maxKeys: 1, finishKeys: '#' }).play('menu.wav').next('https://app/ivr/menu').toXml();
  assert.equal(xml, '<?xml version="1.0" encoding="UTF-8"?><response><get max_keys="1" finish_keys="#"><play>menu.wav</play></get><next>https://app/ivr/menu</next></response>');
});

test('errors name the verb and the attribute', () => {
  const field = (f) => { try { f(); } catch (e) { assert.equal(e.kind, 'validation'); return [e.field, e.message]; } assert.fail('did not throw'); };
  assert.equal(field(() => new Response().get({ maxKeys: 0 }).play('m.wav').next('https://a/b').toXml())[0], 'get.maxKeys');
  assert.equal(field(() => new Response().get({ maxDigits: 1 }).play('m.wav').next('https://a/b').toXml())[0], 'get.maxDigits');
  assert.equal(field(() => new Response().dial({ from: '' }).number('138').endCall().toXml())[0], 'dial.from');
  const [f, m] = field(() => new Response().play('menu.mp3').endCall().toXml());
  assert.equal(f, 'play');
  assert.match(m, /\.wav/);
  assert.match(field(() => new Response().play('a.wav').toXml())[1], /endCall/);
  assert.equal(field(() => new Response().play('a.wav').play('b.wav').endCall().toXml())[0], 'play');
  assert.equal(field(() => new Response().get({ maxKeys: NaN }).play('m.wav').next('https://a/b').toXml())[1].includes('NaN'), true);
  assert.equal(field(() => new Response().get({ maxKeys: '1' }).play('m.wav').next('https://a/b').toXml())[0], 'get.maxKeys');
  assert.equal(field(() => new Response().get(5).play('m.wav').next('https://a/b').toXml())[0], 'get.attrs');
  assert.equal(field(() => new Response().play(Symbol('x')).endCall().toXml())[0].startsWith('response'), true);
  assert.equal(field(() => new Response().pause().next('https://a/b').toXml())[0], 'pause.duration');
  assert.equal(new Response().hangup().toXml(), '<?xml version="1.0" encoding="UTF-8"?><response><hangup/></response>');
  assert.equal(new Response().hangup().endsCall, true);
});

test('options the types do not declare reach core, which names them', () => {
  assert.throws(
    () => new Response().playlist().play('a.wav').play('b.wav', { repeat: 2 }).endCall().toXml(),
    (e) => e.field === 'playlist.play[1].repeat' && /ignored by the platform/.test(e.message),
  );
  assert.throws(() => new Response().hangup({ reason: 'x' }).toXml(), (e) => e.field === 'hangup.reason');
});

test('hostile and huge text is escaped or refused', () => {
  const big = `${'x'.repeat(2_000_000)}.wav`;
  assert.ok(new Response().play(big).endCall().toXml().includes(`<play>${big}</play>`));
  const xml = new Response().enqueue({ userData: '<a&"b">' }).route().agent('1001').endCall().toXml();
  assert.ok(xml.includes('user_data="&lt;a&amp;&quot;b&quot;&gt;"'));
  assert.throws(() => new Response().enqueue({ userData: 'a\u0000b' }).route().agent('1001').endCall().toXml(), (e) => e.field === 'enqueue.userData');
  assert.throws(() => new Response().play('a\ud800.wav').endCall().toXml(), (e) => e.kind === 'validation');
});

test('children added after the document goes on are written; options are copied', () => {
  const response = new Response();
  const options = { maxCallDuration: 60 };
  const dial = response.dial(options);
  response.next('https://app/after-dial');
  dial.number('13800000002');
  options.maxCallDuration = -1;
  const xml = response.toXml();
  assert.ok(xml.includes('<number>13800000002</number>') && xml.includes('max_call_duration="60"'));
  assert.deepEqual(response.toJSON().next, 'https://app/after-dial');
});

test('ivr_start vectors through parseEvent', () => {
  for (const c of IVR.ivr_start) {
    const body = Buffer.from(c.body_hex, 'hex');
    if (c.expect.type !== undefined) {
      const start = parseEvent(body);
      assert.deepEqual(start, camelKeys(c.expect), c.name);
      assert.equal(start.event, undefined);
    } else if (c.expect.field === 'action') {
      // Not an ivr_start request: read as the webhook event it is, or refused.
      try {
        assert.notEqual(parseEvent(body).type, 'ivr_start', c.name);
      } catch (e) {
        assert.equal(e.kind, 'decode', c.name);
      }
    } else {
      assert.throws(() => parseEvent(body), (e) => e.kind === 'decode' && e.field === camel(c.expect.field ?? '') || (c.expect.field === null && e.kind === 'decode'), c.name);
    }
  }
});

test('<next> query vectors through parseIvrNext', () => {
  for (const c of IVR.next) {
    if (c.expect.type !== undefined) {
      for (const q of [c.query, Buffer.from(c.query, 'utf8')]) assert.deepEqual(parseIvrNext(q), camelKeys(c.expect), c.name);
    } else {
      assert.throws(() => parseIvrNext(c.query), (e) => e.kind === 'decode' && e.field === camel(c.expect.field), c.name);
    }
  }
  assert.throws(() => parseIvrNext(5), (e) => e.kind === 'validation' && e.field === 'query');
  assert.throws(() => parseIvrNext('x'.repeat(65 * 1024)), (e) => e.kind === 'decode');
  assert.equal(parseIvrNext(Buffer.from('step=caf\xe9&type=get', 'latin1')).params[0][1], 'café');
});

test('ivr.* event vectors are typed', () => {
  for (const c of IVR.events) {
    const body = Buffer.from(c.body_hex, 'hex');
    if (c.expect.type === undefined) {
      assert.throws(() => parseEvent(body), (e) => e.kind === 'decode', c.name);
      continue;
    }
    const ev = parseEvent(body);
    assert.deepEqual(ev, camelKeys(c.expect), c.name);
    assert.equal(ev.type, ev.event, c.name);
  }
});

test('ivr.d.ts declares what ivr.js exports, with the members of each class', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'ivr.d.ts'), 'utf8');
  const declared = [...text.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared, Object.keys(ivr).sort());
  for (const name of declared.filter((n) => typeof ivr[n] === 'function' && ivr[n].prototype)) {
    const start = text.indexOf(`export declare class ${name} `);
    const block = text.slice(start, text.indexOf('\n}\n', start));
    const typed = [...block.matchAll(/^ {2}(\w+)\(/gm)].map((m) => m[1]).filter((n) => n !== 'constructor').sort();
    const runtime = Object.getOwnPropertyNames(ivr[name].prototype).filter((n) => n !== 'constructor').sort();
    assert.deepEqual(typed, runtime, name);
  }
});

test('IvrStart in ivr.d.ts has exactly the keys parseEvent gives', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'ivr.d.ts'), 'utf8');
  const block = text.slice(text.indexOf('export interface IvrStart {'));
  const keys = [...block.slice(0, block.indexOf('\n}\n')).matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]).filter((k) => k !== 'event');
  const start = parseEvent('{"action":"ivr_start","call_id":"c","type":"ivr_call","from":"1","subaccount_id":"s","user_data":"u"}');
  assert.deepEqual(keys.sort(), Object.keys(start).sort());
});
