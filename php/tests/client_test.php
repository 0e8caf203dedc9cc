<?php
// Yunhuni\Client against the sandbox: every call, every error kind the server can give, the
// exception's kind, code and field; SapiSdk's JSON; signing vectors; every request vector against
// a stub server (request_stub.php under PHP's built-in server); code table and version.
//
//   YUNHUNI_APP_ID=... YUNHUNI_CERT_ID=... YUNHUNI_SECRET_KEY=... YUNHUNI_BASE_URL=... \
//   YUNHUNI_WEBHOOK_LOG=... php -d ffi.enable=1 client_test.php VECTORS_DIR

declare(strict_types=1);

require_once __DIR__ . '/lib.php';

$vectors = $argv[1] ?? dirname(__DIR__, 2) . '/tests/vectors';
$base = env('YUNHUNI_BASE_URL');

group('a client from the environment places every kind of call', function () {
    $client = Yunhuni\Client::fromEnv(['timeout' => 10, 'connect_timeout' => 2.5, 'user_agent' => 'php-tests/1']);
    check($client->appId() === env('YUNHUNI_APP_ID'), 'appId');
    check($client->accountId() === env('YUNHUNI_CERT_ID'), 'accountId');
    check(str_ends_with($client->apiRoot(), '/v1/account/' . env('YUNHUNI_CERT_ID') . '/'), 'apiRoot');

    $call = $client->duoCallback('13800000041', '13800000042', 600, [
        'from1' => '02000000001',
        'from2' => '02000000002',
        'ring_tone' => 'ring.wav',
        'ring_tone_mode' => 0,
        'max_dial_duration' => 30,
        'recording' => false,
        'record_mode' => 0,
        'user_data' => 'php-order-7',
    ]);
    check(preg_match('/^[0-9a-f]{32}$/', $call->callId) === 1, "call id {$call->callId}");
    check($call->userData === 'php-order-7', 'user data echoed');
    $line = wait_for(fn () => log_lines($call->callId)[0] ?? null, 60);
    check($line !== null && str_contains($line, 'outcome=connected') && str_contains($line, '"php-order-7"'),
        "the webhook receiver logged the end event: $line");

    $ringing = $client->duoCallback('13800000043', '13900000002', 600, ['max_dial_duration' => 300]);
    $client->cancelDuoCallback($ringing->callId);
    check(true, 'cancelDuoCallback');

    $notify = $client->notifyCall('13800000044', ['play_content' => [['123', 1], ['3245.24', 3]], 'user_data' => 'n']);
    check($notify->userData === 'n', 'notifyCall');
    $verify = $client->verifyCall('13800000045', ['verify_code' => '759345']);
    check($verify->userData === null && strlen($verify->callId) === 32, 'verifyCall');
});

group('errors: kind, platform code, status and field', function () use ($base) {
    $client = Yunhuni\Client::fromEnv();
    $e = expect_exception(fn () => $client->cancelDuoCallback('0123456789abcdef0123456789abcdef'), 'api error thrown');
    check($e?->kind === 'api' && $e->getPlatformCode() === '020000' && $e->getStatus() === 200, 'api: kind, code 020000, status 200');
    check($e?->platformMessage === '呼叫不存在', 'api: the server\'s own msg');
    check($e?->getCode() === 2, 'api: getCode() is the result code (YH_ERR_API)');

    $e = expect_exception(fn () => $client->duoCallback('13800000001', '13800000001', 60), 'validation error thrown');
    check($e?->kind === 'validation' && $e->getField() === 'to2' && $e->platformCode === null, 'validation: field to2');

    $e = expect_exception(fn () => $client->duoCallback('13800000001', '13800000002', 60, ['user_data' => "a\0b"]), 'NUL byte refused');
    check($e?->kind === 'validation' && $e->field === 'user_data', 'NUL byte: field user_data');

    $e = expect_exception(fn () => $client->duoCallback('13800000001', "\xff\xfe", 60), 'invalid UTF-8 refused');
    check($e?->kind === 'validation' && $e->field === 'to2', 'invalid UTF-8: field to2');

    $e = expect_exception(fn () => $client->duoCallback('13800000001', '13800000002', 60, ['colour' => 'red']), 'unknown option refused');
    check($e?->field === 'colour', 'unknown option: named');

    $bad = new Yunhuni\Client(env('YUNHUNI_APP_ID'), env('YUNHUNI_CERT_ID'), '0000000000000000000000000000000f', ['base_url' => $base]);
    $e = expect_exception(fn () => $bad->duoCallback('13800000001', '13800000002', 60), 'auth error thrown');
    check($e?->kind === 'auth' && $e->getStatus() === 401, 'auth: status 401');
    check($e !== null && !str_contains($e->getMessage(), '0000000000000000000000000000000f'), 'auth: no secret in the message');

    $e = expect_exception(fn () => new Yunhuni\Client('', 'c', 's'), 'empty app id refused');
    check($e?->field === 'app_id', 'settings: field app_id');

    $closed = stream_socket_server('tcp://127.0.0.1:0');
    $port = (int) substr(strrchr(stream_socket_get_name($closed, false), ':'), 1);
    fclose($closed);
    $nowhere = new Yunhuni\Client('a', 'b', 'c', ['base_url' => "http://127.0.0.1:$port", 'connect_timeout' => 2]);
    $e = expect_exception(fn () => $nowhere->cancelDuoCallback('x'), 'transport error thrown');
    check($e?->kind === 'transport', 'transport: kind');

    $silent = stream_socket_server('tcp://127.0.0.1:0');
    $url = 'http://' . stream_socket_get_name($silent, false);
    $slow = new Yunhuni\Client('a', 'b', 'c', ['base_url' => $url, 'timeout' => 0.5]);
    $e = expect_exception(fn () => $slow->cancelDuoCallback('x'), 'timeout error thrown');
    check($e?->kind === 'timeout', 'timeout: kind');
    fclose($silent);
});

group('SapiSdk returns the platform JSON', function () use ($base) {
    $api = new SapiSdk(env('YUNHUNI_APP_ID'), env('YUNHUNI_CERT_ID'), $base . '/v1/account/' . env('YUNHUNI_CERT_ID') . '/', env('YUNHUNI_SECRET_KEY'));
    $res = json_decode($api->duoCallback(null, '13800000051', '', '13800000052', '', 0, '30', 3600, 0, 0, 'sapi'), true);
    check($res['code'] === '000000' && $res['msg'] === '请求成功', 'success envelope');
    check(preg_match('/^[0-9a-f]{32}$/', (string) ($res['data']['callId'] ?? '')) === 1 && $res['data']['user_data'] === 'sapi', 'data.callId and data.user_data');
    check($api->lastError() === null, 'no last error');

    $res = json_decode($api->duoCallback(null, '13800000051', null, '13800000052', null, null, null, 3600, null, null, null), true);
    check($res['code'] === '000000' && $res['data']['user_data'] === null, 'nulls are left out');

    $res = json_decode($api->duoCallbackCancel('0123456789abcdef0123456789abcdef'), true);
    check($res === ['code' => '020000', 'msg' => '呼叫不存在', 'data' => null], 'platform error envelope: ' . json_encode($res, JSON_UNESCAPED_UNICODE));
    check($api->lastError()?->platformCode === '020000', 'lastError() carries the code');

    $res = json_decode($api->duoCallback(null, '13800000051', null, '13800000051', null, 0, 30, 3600, 0, 0, null), true);
    check($res['code'] === null && $res['error']['kind'] === 'validation' && $res['error']['field'] === 'to2', 'validation: code null, error.kind and error.field');

    $res = json_decode($api->duoCallback(null, '13800000051', null, '13800000052', null, 0, 30, null, 0, 0, null), true);
    check($res['code'] === null && $res['error']['field'] === 'max_call_duration', 'missing max_call_duration');

    $wrong = new SapiSdk(env('YUNHUNI_APP_ID'), env('YUNHUNI_CERT_ID'), $base, 'wrong-secret');
    $res = json_decode($wrong->duoCallback(null, '13800000051', null, '13800000052', null, 0, 30, 3600, 0, 0, null), true);
    check($res['code'] === null && $res['error']['kind'] === 'auth' && $res['error']['status'] === 401, 'auth: error.kind auth, status 401');

    $broken = new SapiSdk('', '', 'not a url', '');
    $res = json_decode($broken->duoCallback(null, '1', null, '2', null, 0, 30, 3600, 0, 0, null), true);
    check($res['code'] === null && $res['error']['kind'] === 'validation', 'bad settings are reported by the call');
});

group('signing vectors', function () use ($vectors) {
    $cases = json_decode((string) file_get_contents("$vectors/signing.json"), true)['cases'];
    foreach ($cases as $c) {
        $body = (string) hex2bin($c['body_hex']);
        $sts = Yunhuni\string_to_sign($c['method'], $c['uri'], $c['content_type'], $c['timestamp'], $c['app_id'], $body);
        $sig = Yunhuni\sign($c['method'], $c['uri'], $c['content_type'], $c['timestamp'], $c['app_id'], $body, $c['secret_key']);
        check($sts === $c['string_to_sign'] && $sig === $c['signature'], "signing {$c['name']}");
    }
    check(count($cases) >= 40, count($cases) . ' signing vectors');
});

/**
 * Sends one vector through the typed method of its operation (duoCallback(), confCreate(), ...):
 * the required fields as arguments in the method's order, the rest as options. Returns null,
 * without sending, when the method's signature cannot carry the vector's values (a required
 * field missing or of another PHP type: such cases are run by name only).
 *
 * @return array{0: mixed}|null the method's result
 */
function send_typed(Yunhuni\Client $client, string $operation, array $params): ?array
{
    $method = lcfirst(str_replace('_', '', ucwords($operation, '_')));
    if (!method_exists($client, $method)) {
        throw new LogicException("Yunhuni\\Client has no method $method() for $operation");
    }
    $args = [];
    $options = false;
    foreach ((new ReflectionMethod($client, $method))->getParameters() as $p) {
        if ($p->getName() === 'callOptions') {
            break;
        }
        if ($p->getName() === 'options') {
            $options = true;
            continue;
        }
        $field = strtolower((string) preg_replace('/[A-Z]/', '_$0', $p->getName()));
        $type = (string) $p->getType();
        $value = $params[$field] ?? null;
        $fits = match ($type) {
            'string' => is_string($value),
            'int' => is_int($value),
            'bool' => is_bool($value),
            'array' => is_array($value),
            default => false,
        };
        if (!$fits) {
            return null;
        }
        $args[] = $value;
        unset($params[$field]);
    }
    if ($options) {
        $args[] = $params;
    } elseif ($params !== []) {
        return null; // fields left over, and no options to carry them
    }
    return [$client->$method(...$args)];
}

/**
 * Runs every request vector through `$send` against the recording stub: method, path, query and
 * body as the vector gives them (each checked when given), or a validation error naming the field
 * with nothing sent. `$send` returns null when it cannot carry a case (then it is skipped).
 */
function run_request_vectors(string $vectors, string $how, callable $send): void
{
    $cases = json_decode((string) file_get_contents("$vectors/requests.json"), true, 512, JSON_THROW_ON_ERROR)['cases'];
    $firstApiPaths = [
        'duo_callback' => 'call/duo_callback',
        'cancel_duo_callback' => 'call/duo_callback_cancel',
        'notify_call' => 'call/notify_call',
        'verify_call' => 'call/verify_call',
    ];
    $cert = 'c3e7a9f1d2b44e8c8a6b1f0e2d000001';
    $log = (string) tempnam(sys_get_temp_dir(), 'yh-requests-');
    $serverLog = (string) tempnam(sys_get_temp_dir(), 'yh-stub-server-');
    [$proc, $url] = start_request_stub($log, $serverLog);
    try {
        $client = new Yunhuni\Client('b0a5d1e5a2c64f0e9a7e3c1d5f000001', $cert, '5d8f2a7c9e1b4d6fa3c0e8b7d9000001',
            ['base_url' => $url, 'timeout' => 10, 'connect_timeout' => 5]);
        $wires = 0;
        $errors = 0;
        $skipped = 0;
        $operations = [];
        foreach ($cases as $c) {
            $name = "{$c['name']} ({$c['operation']}, $how)";
            $expect = $c['expect'];
            $before = count(stub_requests($log));
            $result = null;
            $error = null;
            try {
                $result = $send($client, $c['operation'], $c['params']);
                if ($result === null) {
                    $skipped++;
                    continue;
                }
                $result = $result[0];
            } catch (Yunhuni\Exception $e) {
                $error = $e;
            } catch (Throwable $e) {
                check(false, "request $name: unexpected " . get_class($e) . ': ' . $e->getMessage());
                continue;
            }
            $operations[$c['operation']] = true;
            $sent = array_slice(stub_requests($log), $before);
            if (!array_key_exists('error', $expect)) {
                $wires++;
                check($error === null, "request $name: succeeds" . ($error ? " ({$error->kind}: {$error->getMessage()})" : ''));
                if ($result instanceof Yunhuni\CallCreated) {
                    check($result->callId === '0123456789abcdef0123456789abcdef', "request $name: call id");
                }
                if (in_array($c['operation'], ['duo_callback', 'notify_call', 'verify_call', 'ivr_call', 'conf_invite_call'], true)) {
                    check($result instanceof Yunhuni\CallCreated, "request $name: a CallCreated");
                }
                if (check(count($sent) === 1, "request $name: one request reached the stub (" . count($sent) . ')')) {
                    [$method, $path, $query, $body] = $sent[0];
                    $wantPath = $expect['path'] ?? $firstApiPaths[$c['operation']] ?? null;
                    if ($wantPath !== null) {
                        check($path === "/v1/account/$cert/$wantPath", "request $name: path $path, expected $wantPath");
                    }
                    if (isset($expect['method'])) {
                        check($method === $expect['method'], "request $name: method $method, expected {$expect['method']}");
                    }
                    if (array_key_exists('query', $expect)) {
                        check($query === (string) $expect['query'], "request $name: query '$query', expected '{$expect['query']}'");
                    }
                    if (array_key_exists('body', $expect)) {
                        $want = $expect['body'] ?? '';
                        check($body === $want, "request $name: body byte for byte\n  got  $body\n  want $want");
                    }
                }
            } else {
                $errors++;
                check($expect['error'] === 'validation', "request $name: expects a validation error");
                check($error !== null, "request $name: fails");
                check($error?->kind === $expect['error'] && $error->getField() === $expect['field'],
                    "request $name: kind " . ($error?->kind ?? '-') . ', field ' . ($error?->getField() ?? '-') . ", expected {$expect['error']}, {$expect['field']}");
                check($sent === [], "request $name: nothing reached the stub (" . count($sent) . ' requests)');
            }
        }
        check(count($cases) > 0 && $wires + $errors + $skipped === count($cases), "$wires sent and $errors validation errors of " . count($cases) . ' request vectors');
        echo '# ' . count($cases) . " request vectors $how over " . count($operations) . " operation names: $wires sent, $errors validation errors, $skipped not expressible\n";
    } finally {
        proc_terminate($proc);
        proc_close($proc);
        $serverOutput = (string) file_get_contents($serverLog);
        check(preg_match('/\b(Fatal error|Warning|Notice|Deprecated):/', $serverOutput) !== 1,
            "the stub server ran without PHP errors\n$serverOutput");
        @unlink($log);
        @unlink($serverLog);
    }
}

group('request vectors by name: $client->request()', function () use ($vectors) {
    run_request_vectors($vectors, 'by name', fn (Yunhuni\Client $client, string $op, array $params) => [$client->request($op, $params)]);
});

group('request vectors through the typed methods', function () use ($vectors) {
    run_request_vectors($vectors, 'typed', 'send_typed');
});

group('request(): bad input is refused naming what was wrong, before anything is sent', function () {
    $closed = stream_socket_server('tcp://127.0.0.1:0');
    $port = (int) substr(strrchr(stream_socket_get_name($closed, false), ':'), 1);
    fclose($closed);
    // Nothing listens there: a validation error is the only way these calls can end.
    $client = new Yunhuni\Client('a', 'b', 'c', ['base_url' => "http://127.0.0.1:$port", 'connect_timeout' => 2]);
    $cases = [
        'unknown operation' => [fn () => $client->request('no_such_operation'), 'operation'],
        'unknown field' => [fn () => $client->request('conf_create', ['max_duration' => 60, 'colour' => 'red']), 'colour'],
        'camelCase key' => [fn () => $client->request('conf_create', ['maxDuration' => 60]), 'maxDuration'],
        'string for an integer' => [fn () => $client->request('conf_create', ['max_duration' => '60']), 'max_duration'],
        'int for a string' => [fn () => $client->request('conf_dismiss', ['conf_id' => 5]), 'conf_id'],
        'bool for an integer' => [fn () => $client->request('conf_create', ['max_duration' => true]), 'max_duration'],
        'fraction for an integer' => [fn () => $client->request('conf_create', ['max_duration' => 1.5]), 'max_duration'],
        'item of a list' => [fn () => $client->request('conf_start_play', ['conf_id' => 'c1', 'files' => ['a.wav', 2]]), 'files[1]'],
        'key of an object in a list' => [fn () => $client->agentSetSkills('agent01', [['opt' => 1, 'name' => 'a', 'score' => 'high']]), 'opts[0].score'],
        'missing required field' => [fn () => $client->request('conf_create', ['max_parts' => 5]), 'max_duration'],
        'broken rule' => [fn () => $client->confCreate(0), 'max_duration'],
        'NUL byte in a value' => [fn () => $client->request('conf_dismiss', ['conf_id' => "c\0d"]), 'conf_id'],
        'invalid UTF-8 in a value' => [fn () => $client->request('conf_dismiss', ['conf_id' => "\xff"]), 'conf_id'],
        'invalid UTF-8 inside a list' => [fn () => $client->request('conf_start_play', ['conf_id' => 'c1', 'files' => ["\xff"]]), 'files'],
        'option of a typed method' => [fn () => $client->extList(['page_size' => 0]), 'page_size'],
    ];
    foreach ($cases as $what => [$call, $field]) {
        $e = expect_exception($call, "$what: refused");
        check($e?->kind === 'validation' && $e->getField() === $field,
            "$what: kind " . ($e?->kind ?? '-') . ', field ' . ($e?->getField() ?? '-') . ", expected validation, $field (" . ($e?->getMessage() ?? '') . ')');
    }
    check(method_exists($client, 'cancelDuoCallback') && method_exists($client, 'duoCallbackCancel'), 'the alias and the operation both have a method');
});

group('code table and version', function () {
    check(Yunhuni\code_info('030500')['name'] === 'DuoCallbackNumIsSample', 'code_info 030500');
    check(Yunhuni\code_info('999999') === null, 'unknown code');
    check(preg_match('/^\d+\.\d+\.\d+/', Yunhuni\version()) === 1, 'version ' . Yunhuni\version());
});

finish('client_test');
