<?php
// Yunhuni\Client and parse_event() under hostile input and hostile servers: huge, zero and
// malformed timeouts (client options and per-call options) refused naming the option; the
// exception's maybeSent after a connection reset in the middle of the response (true) and a
// refused port (false); a PSR-3 style logger told of each request on PHP's own thread, and
// YUNHUNI_LOG=debug on stderr (in child processes); the proxy option and HTTP_PROXY; and bounded
// fuzzing with a fixed seed: random operations, field names and PHP values through request()
// against a recording stub, mutated event bodies through parse_event().
//
//   php -d ffi.enable=1 hardening_test.php VECTORS_DIR

declare(strict_types=1);

require_once __DIR__ . '/lib.php';

$vectors = $argv[1] ?? dirname(__DIR__, 2) . '/tests/vectors';

const APP = 'b0a5d1e5a2c64f0e9a7e3c1d5f000001';
const CERT = 'c3e7a9f1d2b44e8c8a6b1f0e2d000001';
const SECRET = '5d8f2a7c9e1b4d6fa3c0e8b7d9000001';

/** A PSR-3 style logger that keeps what it is told. */
final class MemoryLogger
{
    /** @var list<array{0: string, 1: array<string, mixed>}> */
    public array $records = [];

    public function debug(string|\Stringable $message, array $context = []): void
    {
        $this->records[] = [(string) $message, $context];
    }
}

/** A logger that fails every time. */
final class ThrowingLogger
{
    public int $calls = 0;

    public function debug(string|\Stringable $message, array $context = []): void
    {
        $this->calls++;
        throw new RuntimeException('the logger broke');
    }
}

function free_port(): int
{
    $probe = stream_socket_server('tcp://127.0.0.1:0');
    $port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
    fclose($probe);
    return $port;
}

function closed_url(): string
{
    return 'http://127.0.0.1:' . free_port();
}

/** Runs `$body`; returns what it threw, or null. */
function thrown(callable $body): ?Throwable
{
    try {
        $body();
    } catch (Throwable $e) {
        return $e;
    }
    return null;
}

/** Checks that `$body` throws a validation Yunhuni\Exception naming `$field`, and nothing else. */
function refused(callable $body, string $field, string $what): void
{
    $e = thrown($body);
    check($e instanceof Yunhuni\Exception && $e->kind === 'validation' && $e->field === $field,
        "$what: refused naming $field (" . ($e === null ? 'nothing thrown' : get_class($e) . ': ' . $e->getMessage()) . ')');
}

/** Starts hostile_stub.php (resets every connection mid-response); returns [process, url, log]. */
function start_hostile_stub(): array
{
    $port = free_port();
    $log = (string) tempnam(sys_get_temp_dir(), 'yh-hostile-');
    $proc = proc_open([PHP_BINARY, __DIR__ . '/hostile_stub.php', (string) $port, $log],
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
    $up = wait_for(function () use ($port) {
        $s = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 1);
        if ($s === false) {
            return null;
        }
        fclose($s);
        return true;
    }, 10);
    if ($up !== true) {
        throw new RuntimeException('hostile_stub.php did not start (is the sockets extension there?)');
    }
    usleep(100_000);
    file_put_contents($log, ''); // forget the probe
    return [$proc, "http://127.0.0.1:$port", $log];
}

function stop(mixed $proc): void
{
    proc_terminate($proc);
    proc_close($proc);
}

/** Lines of a file, empty ones left out. */
function lines_of(string $path): array
{
    return array_values(array_filter(explode("\n", (string) @file_get_contents($path)), fn ($l) => $l !== ''));
}

// ---- 1. timeouts -----------------------------------------------------------------------------

group('client timeouts: huge, zero and malformed ones refused naming the option, never a crash', function () {
    foreach (['timeout', 'connect_timeout'] as $option) {
        foreach ([1e19, 1e16, 1e300, INF, -INF, NAN, -1, -0.5, 0, 0.0, 86400.001, 86401, PHP_INT_MAX, '30', true, []] as $value) {
            refused(fn () => new Yunhuni\Client(APP, CERT, SECRET, [$option => $value]), $option,
                "$option " . var_export($value, true));
        }
    }
    $e = thrown(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['timeout' => 1e19]));
    check($e !== null && str_contains($e->getMessage(), '24 hours'), 'the message says the limit: ' . $e?->getMessage());
    check(thrown(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['timeout' => 86400, 'connect_timeout' => 0.0004])) === null,
        '86400 s and 0.0004 s (one millisecond) are taken');
    foreach ([-1, 4294967296, PHP_INT_MAX, '5x', 1.5] as $value) {
        refused(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['connect_retries' => $value]), 'connect_retries',
            'connect_retries ' . var_export($value, true));
    }
    check(thrown(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['connect_retries' => 4294967295])) === null, 'connect_retries 4294967295 is taken');
    foreach ([-1, 65537, PHP_INT_MAX, '5x', 1.5, true, []] as $value) {
        refused(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['max_idle_connections' => $value]), 'max_idle_connections',
            'max_idle_connections ' . var_export($value, true));
    }
    $e = thrown(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['max_idle_connections' => 65537]));
    check($e !== null && str_contains($e->getMessage(), '65537 is more than 65536'), 'the message says the limit: ' . $e?->getMessage());
    foreach ([0, 1, 65536, '8'] as $value) {
        check(thrown(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['max_idle_connections' => $value])) === null,
            'max_idle_connections ' . var_export($value, true) . ' is taken');
    }
    refused(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['colour' => 'red']), 'colour', 'an unknown option');
});

group('per-call options: request(..., $callOptions) and the typed methods', function () {
    $client = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => closed_url(), 'connect_timeout' => 2]);
    // Nothing listens there: a validation error is the only way these calls can end early.
    foreach ([1e19, INF, NAN, -1, 0, 86400.5, 'soon', false] as $value) {
        refused(fn () => $client->request('duo_callback_cancel', ['call_id' => 'x'], ['timeout' => $value]), 'timeout',
            'per-call timeout ' . var_export($value, true));
    }
    refused(fn () => $client->duoCallbackCancel('x', ['timeout' => 1e19]), 'timeout', 'a typed method with a huge timeout');
    refused(fn () => $client->confCreate(60, [], ['timeout' => 0]), 'timeout', 'a typed method with options and a zero timeout');
    refused(fn () => $client->request('duo_callback_cancel', ['call_id' => 'x'], ['colour' => 1]), 'colour', 'an unknown call option');
    $e = thrown(fn () => $client->request('duo_callback_cancel', ['call_id' => 'x'], ['timeout' => null]));
    check($e instanceof Yunhuni\Exception && $e->kind === 'transport', 'a null call option is not given: the call is tried');

    $silent = stream_socket_server('tcp://127.0.0.1:0');
    $slow = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => 'http://' . stream_socket_get_name($silent, false), 'timeout' => 30]);
    $t0 = microtime(true);
    $e = thrown(fn () => $slow->duoCallbackCancel('x', ['timeout' => 0.5]));
    $took = microtime(true) - $t0;
    check($e instanceof Yunhuni\Exception && $e->kind === 'timeout', 'a 0.5 s per-call timeout gives kind timeout');
    check($took < 10, sprintf('it gave up after %.1f s (client: 30 s)', $took));
    check($e instanceof Yunhuni\Exception && $e->maybeSent && str_contains($e->getMessage(), '500ms'),
        'a timeout after the request was written: maybeSent, and the message names the real limit: ' . $e?->getMessage());
    fclose($silent);
});

// ---- 2. maybeSent ----------------------------------------------------------------------------

group('maybeSent: true after a reset mid-response, false for a refused port', function () {
    [$proc, $url, $log] = start_hostile_stub();
    try {
        $client = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'timeout' => 10]);
        $e = thrown(fn () => $client->request('duo_callback', ['to1' => '13800000001', 'to2' => '13800000002', 'max_call_duration' => 60]));
        check($e instanceof Yunhuni\Exception && $e->kind === 'transport', 'reset mid-response: kind transport (' . $e?->getMessage() . ')');
        check($e instanceof Yunhuni\Exception && $e->maybeSent === true && $e->maybeSent(), 'reset mid-response: maybeSent');
        check($e !== null && str_contains($e->getMessage(), 'may have reached the server'), 'the message says so');
        $e = thrown(fn () => $client->duoCallback('13800000001', '13800000002', 60));
        check($e instanceof Yunhuni\Exception && $e->maybeSent, 'the typed method: maybeSent');
        check(count(lines_of($log)) === 2, 'each request was received once (' . count(lines_of($log)) . ')');
        $sdk = new SapiSdk(APP, CERT, "$url/v1/account/" . CERT . '/', SECRET);
        $res = json_decode($sdk->duoCallback(null, '13800000001', null, '13800000002', null, 0, 30, 60, 0, 0, null), true);
        check(($res['error']['maybe_sent'] ?? null) === true && $res['error']['kind'] === 'transport', "SapiSdk's error.maybe_sent");
    } finally {
        stop($proc);
        @unlink($log);
    }
    $nowhere = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => closed_url(), 'connect_timeout' => 2]);
    $e = thrown(fn () => $nowhere->duoCallback('13800000001', '13800000002', 60));
    check($e instanceof Yunhuni\Exception && $e->kind === 'transport' && $e->maybeSent === false && !$e->maybeSent(),
        'refused port: transport, not maybeSent');
    check($e !== null && !str_contains($e->getMessage(), 'may have reached'), 'refused port: the message does not say so');
    $e = thrown(fn () => $nowhere->duoCallback('13800000001', '13800000001', 60));
    check($e instanceof Yunhuni\Exception && $e->kind === 'validation' && !$e->maybeSent, 'validation: not maybeSent');
});

// ---- 3. the logger ---------------------------------------------------------------------------

group('logger: each request, on the calling thread during the call, never a secret', function () {
    $log = (string) tempnam(sys_get_temp_dir(), 'yh-requests-');
    $serverLog = (string) tempnam(sys_get_temp_dir(), 'yh-stub-server-');
    [$proc, $url] = start_request_stub($log, $serverLog);
    try {
        $logger = new MemoryLogger();
        $client = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'logger' => $logger]);
        $call = $client->duoCallback('13800000001', '13800000002', 60, ['user_data' => 'logged']);
        check($call->callId === '0123456789abcdef0123456789abcdef', 'the call succeeds with a logger');
        check(count($logger->records) === 1, 'one record, there when the call returns: the library called back on this thread, inside the call');
        [$message, $context] = $logger->records[0] ?? ['', []];
        check(str_starts_with($message, 'POST call/duo_callback -> 200 000000 in ') && str_ends_with($message, ' ms'), "the message: $message");
        check(($context['method'] ?? null) === 'POST' && ($context['path'] ?? null) === 'call/duo_callback'
            && ($context['status'] ?? null) === 200 && ($context['code'] ?? null) === '000000'
            && array_key_exists('error', $context) && $context['error'] === null && ($context['attempts'] ?? null) === 1
            && is_float($context['duration_ms'] ?? null) && $context['duration_ms'] > 0,
            'the context: ' . json_encode($context));
        check(!str_contains($message . json_encode($context), SECRET), 'no secret key');

        $client->request('ext_list', ['page_no' => 2]);
        $last = end($logger->records);
        check(count($logger->records) === 2 && $last[1]['method'] === 'GET' && str_starts_with($last[1]['path'], 'callcenter/extension?pageNo=2'),
            'a GET with its query: ' . $last[0]);
        thrown(fn () => $client->duoCallback('13800000001', '13800000001', 60));
        check(count($logger->records) === 2, 'a request refused before sending is not logged');

        $other = new MemoryLogger();
        $second = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'logger' => $other]);
        $second->duoCallbackCancel('0123456789abcdef0123456789abcdef');
        check(count($other->records) === 1 && count($logger->records) === 2, 'two clients: each logger hears its own client');

        $throwing = new ThrowingLogger();
        $third = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'logger' => $throwing]);
        $e = thrown(fn () => $third->duoCallback('13800000001', '13800000002', 60));
        check($e === null && $throwing->calls === 1, 'a logger that throws does not break the call (' . ($e?->getMessage() ?? 'returned') . ')');

        unset($second);
        $plain = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url]);
        $plain->duoCallbackCancel('0123456789abcdef0123456789abcdef');
        check(count($other->records) === 1 && count($logger->records) === 2, 'a client without a logger tells no logger');
        foreach ([0, 2] as $n) {
            $idle = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'max_idle_connections' => $n]);
            $ids = [$idle->duoCallback('13800000001', '13800000002', 60)->callId, $idle->duoCallback('13800000001', '13800000002', 60)->callId];
            check($ids === array_fill(0, 2, '0123456789abcdef0123456789abcdef'), "max_idle_connections $n: requests go through");
        }

        $failing = new MemoryLogger();
        $nowhere = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => closed_url(), 'connect_retries' => 1, 'logger' => $failing]);
        thrown(fn () => $nowhere->duoCallbackCancel('x'));
        $c = $failing->records[0][1] ?? [];
        check(count($failing->records) === 1 && $c['status'] === null && $c['code'] === null && $c['error'] === 'transport' && $c['attempts'] === 2,
            'a transport failure is logged with no status and 2 attempts: ' . ($failing->records[0][0] ?? '-'));

        refused(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['logger' => 'stderr']), 'logger', 'a logger that is a string');
        refused(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['logger' => new stdClass()]), 'logger', 'a logger without debug()');
    } finally {
        stop($proc);
        @unlink($log);
        @unlink($serverLog);
    }
});

/** Runs a child PHP process that sends one request to `$url` and parses one event; returns its stderr. */
function log_child(string $url, ?string $level, bool $withLogger): string
{
    $code = 'require ' . var_export(dirname(__DIR__) . '/yunhuni.php', true) . ';'
        . 'final class L { public int $n = 0; public function debug($m, array $c = []): void { $this->n++; } }'
        . '$l = new L();'
        . '$o = ["base_url" => ' . var_export($url, true) . ($withLogger ? ', "logger" => $l' : '') . '];'
        . '$c = new Yunhuni\Client(' . var_export(APP, true) . ', ' . var_export(CERT, true) . ', ' . var_export(SECRET, true) . ', $o);'
        . '$c->duoCallback("13800000001", "13800000002", 60);'
        . 'Yunhuni\parse_event(\'{"event":"duo_callback.end","id":"feedfacefeedfacefeedfacefeedface"}\');'
        . 'echo "logger calls $l->n\n";';
    $env = getenv();
    unset($env['YUNHUNI_LOG']);
    if ($level !== null) {
        $env['YUNHUNI_LOG'] = $level;
    }
    $proc = proc_open([PHP_BINARY, '-d', 'ffi.enable=1', '-d', 'display_errors=stderr', '-r', $code],
        [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    $status = proc_close($proc);
    return $status === 0 ? "$err" . ($withLogger ? "\n$out" : '') : "(exit $status) $err $out";
}

group('YUNHUNI_LOG=debug prints each request and event to stderr when no logger is set', function () {
    $log = (string) tempnam(sys_get_temp_dir(), 'yh-requests-');
    $serverLog = (string) tempnam(sys_get_temp_dir(), 'yh-stub-server-');
    [$proc, $url] = start_request_stub($log, $serverLog);
    try {
        $err = log_child($url, 'debug', false);
        check(str_contains($err, '[yunhuni debug] POST call/duo_callback -> 200 000000 in '), "debug: the request on stderr: $err");
        check(str_contains($err, '[yunhuni debug] event duo_callback.end id=feedfacefeedfacefeedfacefeedface'), "debug: the event on stderr: $err");
        check(!str_contains($err, SECRET), 'debug: no secret key');
        $err = log_child($url, null, false);
        check($err === '', "unset: nothing on stderr: '$err'");
        $err = log_child($url, 'debug', true);
        check(!str_contains($err, 'POST call/duo_callback') && str_contains($err, 'event duo_callback.end') && str_contains($err, 'logger calls 1'),
            "with a logger: the request goes to it, not to stderr: $err");
    } finally {
        stop($proc);
        @unlink($log);
        @unlink($serverLog);
    }
});

// ---- 4. proxy --------------------------------------------------------------------------------

group('proxy: the option, HTTP_PROXY by default, false for none', function () {
    $vars = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];
    $saved = [];
    foreach ($vars as $v) {
        $saved[$v] = getenv($v);
        putenv($v);
    }
    $log = (string) tempnam(sys_get_temp_dir(), 'yh-requests-');
    $serverLog = (string) tempnam(sys_get_temp_dir(), 'yh-stub-server-');
    [$proc, $url] = start_request_stub($log, $serverLog);
    try {
        $deadProxy = closed_url();
        $via = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'proxy' => $deadProxy, 'connect_timeout' => 2]);
        $e = thrown(fn () => $via->duoCallbackCancel('x'));
        check($e instanceof Yunhuni\Exception && $e->kind === 'transport' && count(stub_requests($log)) === 0,
            "an explicit proxy is used (it is down: nothing reaches the server): " . $e?->getMessage());
        putenv("HTTP_PROXY=$deadProxy");
        $env = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'connect_timeout' => 2]);
        $e = thrown(fn () => $env->duoCallbackCancel('x'));
        check($e instanceof Yunhuni\Exception && $e->kind === 'transport' && count(stub_requests($log)) === 0, 'HTTP_PROXY is used by default');
        $direct = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'proxy' => false]);
        $e = thrown(fn () => $direct->duoCallbackCancel('0123456789abcdef0123456789abcdef'));
        check($e === null && count(stub_requests($log)) === 1, "'proxy' => false goes straight to the server whatever HTTP_PROXY says");
        putenv('HTTP_PROXY');
        refused(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['proxy' => 'not a proxy url']), 'proxy', 'a proxy that is not a URL');
        refused(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['proxy' => true]), 'proxy', 'proxy true');
        $e = thrown(fn () => new Yunhuni\Client(APP, CERT, SECRET, ['proxy' => 'ftp://user:pa55word@127.0.0.1:1']));
        check($e instanceof Yunhuni\Exception && $e->field === 'proxy' && !str_contains($e->getMessage(), 'pa55word'),
            'a refused proxy URL never shows its password: ' . $e?->getMessage());
    } finally {
        stop($proc);
        @unlink($log);
        @unlink($serverLog);
        foreach ($saved as $v => $value) {
            putenv($value === false ? $v : "$v=$value");
        }
    }
});

// ---- 5. fuzzing ------------------------------------------------------------------------------

/** `$n` bytes from the seeded generator (so that a run can be repeated). */
function some_bytes(int $n): string
{
    $out = '';
    for ($i = 0; $i < $n; $i++) {
        $out .= chr(mt_rand(0, 255));
    }
    return $out;
}

/** A random PHP value of any type. */
function random_value(int $depth = 0): mixed
{
    switch (mt_rand(0, $depth > 2 ? 9 : 12)) {
        case 0:
            return [0, -1, 1, 30, 600, 2147483647, 2147483648, -2147483649, PHP_INT_MAX, PHP_INT_MIN][mt_rand(0, 9)];
        case 1:
            return [0.0, -0.0, 1.5, 1e308, NAN, INF, 600.0, 1e19][mt_rand(0, 7)];
        case 2:
            return (bool) mt_rand(0, 1);
        case 3:
            return null;
        case 4:
            return some_bytes(mt_rand(0, 12));
        case 5:
            return ['', '   ', '13800000001', "a\0b", "\xff\xfe", "\u{1b}[2J", '呼叫', str_repeat('9', 3000), "\u{202e}x", '0123456789abcdef0123456789abcdef'][mt_rand(0, 9)];
        case 6:
            return (string) mt_rand(-5, 100000);
        case 7:
            return 'abc' . mt_rand();
        case 8:
            return mt_rand(-100, 100000);
        case 9:
            return [1, 2, 3, 'x', true][mt_rand(0, 4)];
        case 10:
            $list = [];
            for ($i = mt_rand(0, 3); $i > 0; $i--) {
                $list[] = random_value($depth + 1);
            }
            return $list;
        case 11:
            $map = [];
            for ($i = mt_rand(0, 3); $i > 0; $i--) {
                $map[['name', 'score', 'opt', 'x', '0'][mt_rand(0, 4)]] = random_value($depth + 1);
            }
            return mt_rand(0, 3) === 0 ? (object) $map : $map;
        default:
            return [[(string) mt_rand(0, 999), mt_rand(-1, 6)], ['a.wav', 0]];
    }
}

group('fuzz: random operations, field names and PHP values through request()', function () use ($vectors) {
    $cases = json_decode((string) file_get_contents("$vectors/requests.json"), true, 512, JSON_THROW_ON_ERROR)['cases'];
    $names = [];
    foreach ($cases as $c) {
        foreach (array_keys($c['params']) as $k) {
            $names[$k] = true;
        }
    }
    $names = array_keys($names);
    $log = (string) tempnam(sys_get_temp_dir(), 'yh-requests-');
    $serverLog = (string) tempnam(sys_get_temp_dir(), 'yh-stub-server-');
    [$proc, $url] = start_request_stub($log, $serverLog);
    mt_srand(20260612);
    $n = 2000;
    $sent = $refused = $bad = 0;
    $t0 = microtime(true);
    try {
        $client = new Yunhuni\Client(APP, CERT, SECRET, ['base_url' => $url, 'timeout' => 10]);
        for ($i = 0; $i < $n; $i++) {
            $case = $cases[mt_rand(0, count($cases) - 1)];
            $op = $case['operation'];
            $roll = mt_rand(0, 99);
            if ($roll < 3) {
                $op .= ["x", "\0", "\xff", ' '][mt_rand(0, 3)];
            } elseif ($roll < 10) {
                $op = (string) $cases[mt_rand(0, count($cases) - 1)]['operation'];
            }
            $fields = $case['params'];
            for ($k = mt_rand(0, 2); $k > 0; $k--) {
                $name = mt_rand(0, 9) < 8 ? $names[mt_rand(0, count($names) - 1)] : ['colour', "bad\0name", "\xc3(", 'MAX_DURATION', '7'][mt_rand(0, 4)];
                if ($fields !== [] && mt_rand(0, 1) === 0) {
                    $keys = array_keys($fields);
                    $name = (string) $keys[mt_rand(0, count($keys) - 1)];
                }
                $fields[$name] = random_value();
            }
            $before = filesize_now($log);
            try {
                $client->request($op, $fields);
                $sent++;
                if (filesize_now($log) === $before) {
                    $bad++;
                    echo "FAIL fuzz request $i ($op): succeeded, but nothing reached the stub\n";
                }
            } catch (Yunhuni\Exception $e) {
                if ($e->kind === 'validation' && $e->field !== null) {
                    $refused++;
                    if (filesize_now($log) !== $before) {
                        $bad++;
                        echo "FAIL fuzz request $i ($op): refused ({$e->getMessage()}), but it reached the stub\n";
                    }
                } else {
                    $bad++;
                    echo "FAIL fuzz request $i ($op): {$e->kind}: {$e->getMessage()}\n";
                }
            } catch (Throwable $e) {
                $bad++;
                echo "FAIL fuzz request $i ($op): " . get_class($e) . ': ' . $e->getMessage() . "\n";
            }
        }
    } finally {
        stop($proc);
        @unlink($log);
        @unlink($serverLog);
    }
    check($bad === 0, "never another exception, an unexpected kind, or a refused request sent ($bad bad)");
    check($sent > 0 && $refused > 0, "both outcomes were reached ($sent sent, $refused refused)");
    printf("# fuzz requests: %d calls of request() (seed fixed), %d sent, %d refused before sending, %d bad, %.1f s\n",
        $n, $sent, $refused, $bad, microtime(true) - $t0);
});

function filesize_now(string $path): int
{
    clearstatcache(true, $path);
    return (int) filesize($path);
}

/** A mutation of one of `$bodies`. */
function mutate_body(array $bodies): string
{
    $body = $bodies[mt_rand(0, count($bodies) - 1)];
    for ($round = mt_rand(1, 3); $round > 0; $round--) {
        $len = strlen($body);
        $at = mt_rand(0, $len);
        switch (mt_rand(0, 8)) {
            case 0:
                if ($len > 0) {
                    $i = mt_rand(0, $len - 1);
                    $body[$i] = chr(ord($body[$i]) ^ (1 << mt_rand(0, 7)));
                }
                break;
            case 1:
                $body = substr($body, 0, $at);
                break;
            case 2:
                $body = substr($body, 0, $at) . some_bytes(mt_rand(1, 8)) . substr($body, $at);
                break;
            case 3:
                $body = substr($body, 0, $at) . substr($body, $at + mt_rand(0, 20));
                break;
            case 4:
                $body = (string) preg_replace_callback('/:\s*(-?\d+|"[^"]*")/', fn () => ':' . ['253402300800000', '-1', '1e400', '99999999999999999999', '"\u0000"', '"\ud800"', 'null', '[]', '{}', '0.5', '"\u001b[2J"'][mt_rand(0, 10)], $body, 1, $count, 0);
                break;
            case 5:
                $body = substr($body, 0, $at) . ['\u0000', '\ud800', "\xff", '"', '\\', ',', '{', '}', '[', ']', ':'][mt_rand(0, 10)] . substr($body, $at);
                break;
            case 6:
                $other = $bodies[mt_rand(0, count($bodies) - 1)];
                $body = substr($body, 0, $at) . substr($other, mt_rand(0, strlen($other)));
                break;
            case 7:
                $depth = mt_rand(1, 300);
                $body = str_repeat(mt_rand(0, 1) ? '[' : '{"a":', $depth) . $body;
                break;
            default:
                $body = rtrim($body, "} \n") . ',"event":"conf.end"}';
        }
    }
    return $body;
}

group('fuzz: mutated event bodies through parse_event()', function () use ($vectors) {
    $cases = json_decode((string) file_get_contents("$vectors/events.json"), true, 512, JSON_THROW_ON_ERROR)['cases'];
    $bodies = array_map(fn ($c) => (string) hex2bin($c['body_hex']), $cases);
    mt_srand(20260613);
    $n = 3000;
    $parsed = $decode = $bad = 0;
    $t0 = microtime(true);
    for ($i = 0; $i < $n; $i++) {
        $body = $i % 50 === 49 ? some_bytes(mt_rand(0, 200)) : mutate_body($bodies);
        try {
            $event = Yunhuni\parse_event($body);
            $parsed++;
            $view = $event->toArray();
            $ok = is_string($event->name) && is_array($view) && ($event->type() === 'event' || $event->type() === $event->name);
            $event->outcome();
            $event->talkSeconds();
            $event->userData();
            foreach (['begin_time', 'answer_time', 'answer_time1', 'answer_time2', 'end_time'] as $key) {
                $t = $event->type() === 'event' ? null : ($view[$key] ?? null);
                $ok = $ok && ($t === null || (is_int($t) && $t >= 0 && $t <= 253402300799999));
            }
            if (!$ok) {
                $bad++;
                echo 'FAIL fuzz event ' . $i . ': a parsed event with a bad view: ' . json_encode($view, JSON_INVALID_UTF8_SUBSTITUTE) . "\n";
            }
        } catch (Yunhuni\Exception $e) {
            if ($e->kind === 'decode') {
                $decode++;
            } else {
                $bad++;
                echo "FAIL fuzz event $i: kind {$e->kind}: {$e->getMessage()}\n";
            }
        } catch (Throwable $e) {
            $bad++;
            echo "FAIL fuzz event $i: " . get_class($e) . ': ' . $e->getMessage() . "\n";
        }
    }
    check($bad === 0, "every body parsed or refused as decode ($bad not)");
    check($parsed > 0 && $decode > 0, "both outcomes were reached ($parsed parsed, $decode decode)");
    printf("# fuzz events: %d bodies (seed fixed), %d parsed, %d decode errors, %d other, %.1f s\n", $n, $parsed, $decode, $bad, microtime(true) - $t0);
});

finish('hardening_test');
