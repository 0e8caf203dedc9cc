'use strict';
// `tsc --strict` on code calling the generated methods: a correct snippet compiles, and a
// misspelt field or a value of the wrong type fails naming the field.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const PACKAGE = path.resolve(__dirname, '..');
const TSC = path.join(PACKAGE, 'node_modules', 'typescript', 'bin', 'tsc');

/** Compiles `source` with `tsc --strict` from inside the package (so `'yunhuni'` resolves to it). */
function tsc(source) {
  const dir = fs.mkdtempSync(path.join(__dirname, 'tsc-'));
  try {
    fs.writeFileSync(path.join(dir, 'snippet.ts'), source);
    // --pretty adds where the expected type comes from ("...from property 'maxCallDuration'").
    const args = [TSC, '--strict', '--noEmit', '--pretty', '--target', 'ES2022', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', path.join(dir, 'snippet.ts')];
    const r = spawnSync(process.execPath, args, { cwd: PACKAGE, encoding: 'utf8', timeout: 120000 });
    if (r.error) throw r.error;
    const output = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    // One block per error, each starting `snippet.ts:LINE:COLUMN - error TS...`.
    const errors = output.split(/^(?=\S*snippet\.ts:\d+:\d+ - error TS)/m).filter((b) => / - error TS\d+/.test(b));
    return { status: r.status, output, errors };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const PRELUDE = `import { Client } from 'yunhuni';
const client = new Client({ appId: 'a', certId: 'c', secretKey: 's' });
`;

test('tsc --strict accepts calls of the generated methods and of request()', { skip: !fs.existsSync(TSC) && 'typescript is not installed' }, () => {
  const r = tsc(`${PRELUDE}
export async function run(): Promise<string> {
  const { confId } = await client.confCreate({ maxDuration: 600, maxParts: 5, autoHangup: true });
  const ok: boolean = await client.confStartPlay({ confId, files: ['a.wav'] });
  const page = await client.subaccountList({ pageNo: 1, pageSize: 20 });
  const ids: string[] = page.result.map((s) => s.id);
  await client.agentLogin({ name: 'alice', extension: 'e1', skills: [{ name: 'sales', score: 50, enabled: true }] });
  const { msgKey } = await client.smsSend({ mobile: '13800000001', tempId: '10001' });
  const placed = await client.request('duo_callback', { to1: '1', to2: '2', maxCallDuration: 60 });
  await client.cancelDuoCallback(placed.callId);
  return [confId, String(ok), ...ids, msgKey].join();
}
`);
  assert.equal(r.status, 0, r.output);
});

test('tsc --strict refuses a misspelt field and a value of the wrong type, naming each field', { skip: !fs.existsSync(TSC) && 'typescript is not installed' }, () => {
  const r = tsc(`${PRELUDE}
export async function misspelt(): Promise<void> {
  await client.confCreate({ maxDuration: 600, maxPartz: 5 });
}
export async function wrongType(): Promise<void> {
  await client.ivrCall({ to: '13800000001', maxCallDuration: '60' });
}
export async function wrongRecordKey(): Promise<void> {
  await client.agentLogin({ name: 'alice', extension: 'e1', skills: [{ name: 'sales', scroe: 50 }] });
}
`);
  assert.notEqual(r.status, 0, r.output);
  assert.equal(r.errors.length, 3, r.output);
  const [misspelt, wrongType, wrongRecordKey] = r.errors;
  assert.match(misspelt, /snippet\.ts:5:\d+ - error TS\d+: .*'maxPartz' does not exist in type 'ConfCreateRequest'/);
  assert.match(wrongType, /snippet\.ts:8:\d+ - error TS\d+: Type 'string' is not assignable to type 'number'/);
  assert.match(wrongType, /from property 'maxCallDuration' which is declared here on type 'IvrCallRequest'/);
  assert.match(wrongRecordKey, /snippet\.ts:11:\d+ - error TS\d+: .*'scroe' does not exist in type 'Skill'/);
});

test("the README's example of every operation type-checks with tsc --strict", { skip: !fs.existsSync(TSC) && 'typescript is not installed' }, () => {
  const readme = fs.readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Every operation'));
  const example = section.match(/```ts\n([\s\S]*?)```/)[1];
  assert.match(example, /client\.confCreate\(/);
  assert.match(example, /client\.request\('conf_create'/);
  const r = tsc(`${PRELUDE}\nexport async function readme(): Promise<void> {\n${example}}\n`);
  assert.equal(r.status, 0, r.output);
});

test("the README's example of timeouts, a proxy and a hook type-checks with tsc --strict", { skip: !fs.existsSync(TSC) && 'typescript is not installed' }, () => {
  const readme = fs.readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Timeouts, proxies and logging'));
  const example = section.match(/```ts\n([\s\S]*?)```/)[1];
  assert.match(example, /onRequest/);
  assert.match(example, /\{ timeoutMs: 5000 \}/);
  const r = tsc(`${PRELUDE}\nexport async function readme(): Promise<void> {\n${example}}\n`);
  assert.equal(r.status, 0, r.output);
});
