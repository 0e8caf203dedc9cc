// Type test of index.d.ts and testing.d.ts: compiled with `tsc -p test --strict --noEmit`
// (scripts/test-node), never run. Each `@ts-expect-error` line must be an error.

import {
  Client, YunhuniError, parseEvent, sign, stringToSign, lookupCode, PlayType, version,
  type CallCreated, type ClientOptions, type DuoCallbackRequest, type ErrorKind, type Event,
  type NotifyCallRequest, type Outcome, type VerifyCallRequest, type CodeInfo,
  type ConfCreated, type ConfCreateRequest, type Extension, type Page, type Skill, type Quota, type SkillChange,
  type Conversation, type OperationName, type CallOptions, type RequestLog, type ClientSettings,
} from 'yunhuni';
import { Sandbox, type Behavior, type CallInfo, type Delivery, type WebhookAttempt } from 'yunhuni/testing';

const options: ClientOptions = { appId: 'a', certId: 'c', secretKey: 's', baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000, connectTimeoutMs: 500, userAgent: 'x/1', connectRetries: 1, maxIdleConnections: 8 };
const client = new Client(options);
const fromEnv: Client = Client.fromEnv({ timeoutMs: 5000 });
const roots: string[] = [client.appId, client.certId, client.accountId, client.apiRoot, fromEnv.apiRoot];

// @ts-expect-error secretKey is required
new Client({ appId: 'a', certId: 'c' });
// @ts-expect-error credentials come from the environment
Client.fromEnv({ secretKey: 's' });

async function operations(): Promise<void> {
  const req: DuoCallbackRequest = { to1: '1', to2: '2', maxCallDuration: 60, from1: 'a', from2: 'b', ringTone: 'r', ringToneMode: 2, maxDialDuration: 30, recording: false, recordMode: 0, userData: 'u' };
  const created: CallCreated = await client.duoCallback(req);
  const id: string = created.callId;
  const data: string | null = created.userData;
  const cancelled: void = await client.cancelDuoCallback(id);
  const notify: NotifyCallRequest = { to: '1', playFile: 'a.wav', playContent: [{ content: '1', playType: PlayType.DIGITS }, { content: 'x', playType: 0, options: '' }], repeat: 1 };
  await client.notifyCall(notify);
  const verify: VerifyCallRequest = { to: '1', verifyCode: '1234' };
  await client.verifyCall(verify);
  // @ts-expect-error maxCallDuration is a number
  await client.duoCallback({ to1: '1', to2: '2', maxCallDuration: '60' });
  // @ts-expect-error to2 is required
  await client.duoCallback({ to1: '1', maxCallDuration: 60 });
  // @ts-expect-error play types are 0-5
  await client.notifyCall({ to: '1', playContent: [{ content: 'x', playType: 9 }] });
  await client.notifyCall({ to: '1', playContent: [['1234', PlayType.DIGITS], ['x.wav', 0, '']] });
  void [data, cancelled];
}

async function everyOperation(): Promise<void> {
  const conf: ConfCreateRequest = { maxDuration: 600, maxParts: 5, recording: true };
  const created: ConfCreated = await client.confCreate(conf);
  const confId: string = created.confId;
  const played: boolean = await client.confStartPlay({ confId, files: ['a.wav'] });
  const page: Page<Extension> = await client.extList({ pageNo: 1, pageSize: 50 });
  const first: string | undefined = page.result[0]?.id;
  const everything: Page<Extension> = await client.extList();
  const skills: Skill[] = [{ name: 'sales', score: 50 }];
  const loggedIn: void = await client.agentLogin({ name: 'alice', extension: 'e1', skills });
  const changes: SkillChange[] = [{ opt: 0 }];
  await client.agentSetSkills({ agentName: 'alice', opts: changes });
  const quotas: Quota[] = [{ type: 'CallQuota', value: 60 }];
  await client.subaccountCreate({ quotas });
  const talks: Conversation[] | null = await client.agentConversations({ agentName: 'alice' });
  const byName: ConfCreated = await client.request('conf_create', { maxDuration: 60 });
  const cancelled: void = await client.request('cancel_duo_callback', { callId: 'x' });
  const name: OperationName = 'ext_list';
  await client.request(name);
  // @ts-expect-error maxDuration is required
  await client.confCreate({ maxParts: 5 });
  // @ts-expect-error a misspelt field
  await client.confCreate({ maxDuration: 60, maxPart: 5 });
  // @ts-expect-error maxParts is a number
  await client.confCreate({ maxDuration: 60, maxParts: '5' });
  // @ts-expect-error quota types are CallQuota, AgentQuota, SmsQuota, UssdQuota
  await client.subaccountCreate({ quotas: [{ type: 'Minutes', value: 1 }] });
  // @ts-expect-error not an operation
  await client.request('conf_creat', {});
  // @ts-expect-error the fields of conf_create
  await client.request('conf_create', { maxDurations: 60 });
  void [played, first, everything, loggedIn, talks, byName, cancelled];
}

function errors(err: unknown): string | null {
  if (err instanceof YunhuniError) {
    const kind: ErrorKind = err.kind;
    const code: string | null = err.code;
    const status: number | null = err.status;
    const field: string | null = err.field;
    const platformMessage: string | null = err.platformMessage;
    const maybeSent: boolean = err.maybeSent;
    const message: string = err.message;
    // @ts-expect-error not a kind
    const bad: ErrorKind = 'network';
    void [kind, code, status, platformMessage, maybeSent, message, bad];
    return field;
  }
  return null;
}
const made = new YunhuniError('api', 'platform returned 020000', { code: '020000', status: 200 });
const sentMaybe = new YunhuniError('transport', 'reset', { maybeSent: true });

// Logging, a proxy, and a call's own timeout.
const heard: RequestLog[] = [];
const settings: ClientSettings = {
  proxy: 'http://proxy.example:3128',
  onRequest(log: RequestLog) {
    const line: string = `${log.method} ${log.path} ${log.status ?? '-'} ${log.code ?? '-'} ${log.errorKind ?? 'ok'} ${log.durationMs.toFixed(1)} ${log.attempts}`;
    heard.push(log);
    void line;
  },
};
const direct = new Client({ appId: 'a', certId: 'c', secretKey: 's', proxy: false, ...settings });
// @ts-expect-error proxy is a URL or false
new Client({ appId: 'a', certId: 'c', secretKey: 's', proxy: true });
// @ts-expect-error onRequest is a function
new Client({ appId: 'a', certId: 'c', secretKey: 's', onRequest: 'log' });
// @ts-expect-error a log is not a string
new Client({ appId: 'a', certId: 'c', secretKey: 's', onRequest: (log: string) => void log });
async function callOptions(): Promise<void> {
  const options: CallOptions = { timeoutMs: 2000 };
  await direct.duoCallback({ to1: '1', to2: '2', maxCallDuration: 60 }, options);
  await direct.cancelDuoCallback('x', { timeoutMs: 500 });
  await direct.extList(undefined, { timeoutMs: 500 });
  await direct.request('ext_list', {}, { timeoutMs: 500 });
  await direct.request('conf_create', { maxDuration: 60 }, options);
  // @ts-expect-error timeoutMs is a number
  await direct.extList({}, { timeoutMs: '500' });
  // @ts-expect-error the option is timeoutMs
  await direct.extList({}, { timeout: 500 });
  // @ts-expect-error the fields come before the options
  await direct.request('conf_create', options);
}

function events(body: Buffer | string | Uint8Array): number {
  const ev: Event = parseEvent(body);
  switch (ev.event) {
    case 'duo_callback.end': {
      const outcome: Outcome = ev.outcome;
      const t: number | null = ev.answerTime1;
      const by: number | null = ev.hangupBy;
      void [outcome, t, by, ev.subaccountId, ev.recordFile];
      return ev.talkSeconds;
    }
    case 'notify_call.end':
    case 'verify_call.end': {
      const ended: 'user' | 'platform' | null = ev.endedBy;
      const by: string | null = ev.hangupBy;
      void [ended, by, ev.droppedBy, ev.answerTime];
      // @ts-expect-error only duo_callback.end has talkSeconds
      return ev.talkSeconds;
    }
    case 'ivr.get_end': {
      const keys: string | null = ev.keys;
      const at: number | null = ev.endTime;
      void at;
      return keys === null ? 0 : keys.length;
    }
    case undefined: {
      // The ivr_start request, the one member without `event`.
      const type: 'ivr_start' = ev.type;
      const from: string | null = ev.from;
      void [type, from];
      return 0;
    }
    case 'msg.sending_complete': {
      // The server's camelCase keys; the event's own `type` is `kind`; integers.
      const key: string | null = ev.msgKey;
      const state: number | null = ev.state;
      const kind: number | null = ev.kind;
      void [key, ev.failMobiles];
      return (state ?? 0) + (kind ?? 0);
    }
    case 'callcenter.queue.fail': {
      const cause: string | null = ev.cause;
      const kind: string | null = ev.kind;
      void [ev.agentName, ev.originCallId, ev.conditionId];
      return (cause ?? '').length + (kind ?? '').length;
    }
    default: {
      const name: string = ev.event;
      // An event kept whole (every documented event is typed: an undocumented one), its body
      // in `fields`.
      if (ev.type === 'event') return Object.keys(ev.fields).length + name.length;
      return 0;
    }
  }
}

function byType(ev: Event): string {
  return ev.type === 'duo_callback.end'
    ? ev.outcome
    : ev.type === 'event'
      ? ev.event
      : ev.type === 'notify_call.end' || ev.type === 'verify_call.end'
        ? String(ev.endedBy)
        : ev.type;
}

const signature: string = sign({ method: 'POST', uri: '/v1/x?y=1', timestamp: '20170301120000', appId: 'a', secretKey: 's', body: Buffer.from('{}'), contentType: 'application/json' });
const toSign: string = stringToSign({ method: 'GET', uri: '/v1/x', timestamp: '20170301120000', appId: 'a', body: '' });
// @ts-expect-error stringToSign takes no secret... and sign needs one
sign({ method: 'GET', uri: '/', timestamp: 't', appId: 'a' });
const info: CodeInfo | null = lookupCode('030500');
const v: string = version;

async function sandbox(): Promise<void> {
  const sb = await Sandbox.start({ timeScale: 10, callbackUrl: 'http://127.0.0.1:1/', apiDelayMs: 10, utf8Webhooks: false, webhookTimeoutMs: 1000, expiryMinutes: 5, listen: '127.0.0.1:0', log: false });
  const c = new Client(sb.clientOptions({ timeoutMs: 1000 }));
  const strings: string[] = [sb.baseUrl, sb.appId, sb.certId, sb.secretKey, sb.accountId, sb.subAccount.certId];
  const url: string | null = sb.callbackUrl;
  sb.setCallbackUrl(null);
  const busy: Behavior = { answer: 'busy' };
  sb.setBehavior('1', busy);
  sb.setBehavior('2', { answer: 'after', ms: 100, hangupAfterMs: null });
  // @ts-expect-error 'after' needs ms
  sb.setBehavior('3', { answer: 'after' });
  sb.clearBehavior('1');
  const b: Behavior = sb.behavior('1');
  const reserved: Behavior | undefined = Sandbox.reservedNumbers['13900000001'];
  const calls: CallInfo[] = sb.calls();
  const one: CallInfo | null = sb.call('x');
  const attempts: WebhookAttempt[] = sb.webhooks();
  const { callId } = await c.duoCallback({ to1: '1', to2: '2', maxCallDuration: 60 });
  const body: Buffer = await sb.waitForEnd(callId);
  const again: Buffer = await sb.waitForEnd(callId, 1000);
  const delivery: Delivery = await sb.waitForDelivery(callId, { timeoutMs: 1000 });
  const now: number = sb.simNowMs();
  await sb.close();
  // @ts-expect-error use Sandbox.start()
  new Sandbox();
  void [strings, url, b, reserved, calls, one, attempts, body, again, delivery, now];
}

void [roots, operations, everyOperation, errors, made, sentMaybe, callOptions, events, byType, signature, toSign, info, v, sandbox];

// IVR: the builder reads like the document; options are typed per element.
import { ivr, parseIvrNext, type IvrStart, type IvrNext } from 'yunhuni';

export function ivrTypes(ev: Event): string {
  const menu: string = new ivr.Response()
    .get({ maxKeys: 1, finishKeys: '#', ifBreakOnKey: true }).play('menu.wav')
    .next('https://app.example.com/ivr/menu')
    .toXml();
  const dial: ivr.Response = new ivr.Response()
    .dial({ from: '02088880000', maxDialDuration: 30 }).number('13800000002').connect({ mode: 1 }).play('hold.wav', { repeat: 2 })
    .endCall();
  const queued = new ivr.Response().enqueue({ choice: 'lru', reserveState: 'busy/lunch' }).route().agent('1001', { priority: 1 });
  // @ts-expect-error <get> has no maxDigits (the platform's name is maxKeys)
  new ivr.Response().get({ maxDigits: 1 });
  // @ts-expect-error choice is random or lru
  new ivr.Response().enqueue({ choice: 'first' });
  // @ts-expect-error a <play> inside <get> takes no attributes
  new ivr.Response().get().play('menu.wav', { repeat: 2 });
  const next: IvrNext = parseIvrNext('type=get&keys=1');
  const keys: string | null = next.keys;
  const action: 'get' | 'play' | 'playlist' | 'record' | 'send_dtmf' | 'hangup' | 'pause' | 'dial' | 'enqueue' | null = next.action;
  if (ev.type === 'ivr_start') {
    const start: IvrStart = ev;
    const kind: 'ivr_call' | 'ivr_incoming' | null = start.kind;
    void kind;
  }
  void [dial, queued, keys, action];
  return menu;
}
