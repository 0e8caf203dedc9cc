<?php
// The extension's own boundary (php/ext): its functions called directly with what PHP code may
// hand them (wrong types, null, NUL bytes, huge and non-UTF-8 strings, bad settings), its client
// objects freed in any order (cycles through the log callable included), a log callable that
// throws, and the answers they give matching the library's through Yunhuni\Client. Needs the
// extension loaded (scripts/test-php runs it in the suite's extension pass).
//
//   php -d extension=/path/to/yunhuni.so ext_test.php

declare(strict_types=1);

require_once __DIR__ . '/lib.php';

use Yunhuni\Ext;

if (!extension_loaded('yunhuni')) {
    check(false, 'the extension yunhuni is loaded');
    finish('ext_test');
}

/** Runs `$body`; returns what it threw (or null). */
function thrown(callable $body): ?Throwable
{
    try {
        $body();
    } catch (Throwable $e) {
        return $e;
    }
    return null;
}

/** `$body` throws `$class` whose message contains every one of `$needles`. */
function throws(callable $body, string $class, array $needles, string $what): ?Throwable
{
    $e = thrown($body);
    $ok = $e instanceof $class;
    foreach ($needles as $needle) {
        $ok = $ok && str_contains($e->getMessage(), $needle);
    }
    check($ok, "$what: $class naming " . implode(', ', $needles) . ' (' . ($e === null ? 'nothing thrown' : get_class($e) . ': ' . $e->getMessage()) . ')');
    return $e;
}

/** `$body` throws a Yunhuni\Exception of `$kind` naming `$field` (when given). */
function refuses(callable $body, string $kind, ?string $field, string $what): void
{
    $e = thrown($body);
    check($e instanceof Yunhuni\Exception && $e->kind === $kind && ($field === null || $e->field === $field),
        "$what: Yunhuni\\Exception $kind" . ($field === null ? '' : " naming $field") . ' ('
        . ($e === null ? 'nothing thrown' : get_class($e) . ': ' . $e->getMessage()) . ')');
}

$base = env('YUNHUNI_BASE_URL');
// A voice callback: the sandbox answers it (it simulates the call operations).
const DC = ['to1' => '13800000001', 'to2' => '13800000002', 'max_call_duration' => 60];
$creds = [env('YUNHUNI_APP_ID'), env('YUNHUNI_CERT_ID'), env('YUNHUNI_SECRET_KEY')];

group('the extension is what the library uses, and says its version', function () {
    check(Yunhuni\backend() === 'extension', 'Yunhuni\backend() is extension');
    check(Ext\version() === Yunhuni\version() && Ext\version() === Ext\STUB_VERSION, 'versions agree: ' . Ext\version());
    $info = new ReflectionExtension('yunhuni');
    check($info->getVersion() === Ext\version(), 'the extension has the version of its library');
    check(isset($info->getFunctions()['Yunhuni\Ext\request']), 'Yunhuni\Ext\request is a function of the extension');
});

group('Yunhuni\Ext\Client: made by client_new() only, not cloned or serialized', function () use ($creds, $base) {
    throws(fn () => new Ext\Client(), Error::class, ['client_new()'], 'new Client()');
    throws(fn () => (new ReflectionClass(Ext\Client::class))->newInstanceWithoutConstructor(), ReflectionException::class, ['final'], 'an instance without constructor');
    $c = Ext\client_new($creds, ['base_url' => $base]);
    throws(fn () => clone $c, Error::class, ['clone'], 'clone');
    throws(fn () => serialize($c), Exception::class, ['Serialization'], 'serialize');
    throws(function () use ($c) { $c->x = 1; }, Error::class, ['x'], 'a dynamic property');
    check(Ext\client_info($c)['app_id'] === $creds[0], 'client_info');
});

group('client_new(): wrong types and values are TypeError, ValueError or Yunhuni\Exception naming them', function () use ($creds, $base) {
    throws(fn () => Ext\client_new('app'), TypeError::class, ['credentials', 'string given'], 'credentials as a string');
    throws(fn () => Ext\client_new([1, 2, 3]), TypeError::class, ['app_id, cert_id, secret_key'], 'credentials as ints');
    throws(fn () => Ext\client_new(['a', 'b']), ValueError::class, ['credentials'], 'two credentials');
    throws(fn () => Ext\client_new(['x' => 'a', 'y' => 'b', 'z' => 'c']), TypeError::class, ['credentials'], 'credentials by name');
    refuses(fn () => Ext\client_new(["a\0b", 'c', 'd']), 'validation', 'app_id', 'a NUL in app_id');
    refuses(fn () => Ext\client_new(['a', 'c', "d\0"]), 'validation', 'secret_key', 'a NUL in secret_key');
    refuses(fn () => Ext\client_new(["\xff\xfe", 'c', 'd']), 'validation', null, 'non-UTF-8 app_id');
    refuses(fn () => Ext\client_new(['', 'c', 'd']), 'validation', null, 'an empty app_id');
    throws(fn () => Ext\client_new($creds, ['nope' => 'x']), ValueError::class, ['nope'], 'an unknown setting');
    throws(fn () => Ext\client_new($creds, ['x']), ValueError::class, ['names'], 'a setting without a name');
    throws(fn () => Ext\client_new($creds, ['timeout' => '30']), TypeError::class, ['timeout', 'int'], 'timeout as a string');
    throws(fn () => Ext\client_new($creds, ['timeout' => -1]), ValueError::class, ['timeout'], 'a negative timeout');
    throws(fn () => Ext\client_new($creds, ['connect_retries' => 1 << 40]), ValueError::class, ['connect_retries'], 'connect_retries beyond 32 bits');
    refuses(fn () => Ext\client_new($creds, ['timeout' => PHP_INT_MAX]), 'validation', 'timeout', 'a huge timeout');
    throws(fn () => Ext\client_new($creds, ['max_idle_connections' => '8']), TypeError::class, ['max_idle_connections', 'int'], 'max_idle_connections as a string');
    throws(fn () => Ext\client_new($creds, ['max_idle_connections' => -1]), ValueError::class, ['max_idle_connections'], 'a negative max_idle_connections');
    refuses(fn () => Ext\client_new($creds, ['max_idle_connections' => 65537]), 'validation', 'max_idle_connections', 'max_idle_connections above 65536');
    refuses(fn () => Ext\client_new($creds, ['max_idle_connections' => PHP_INT_MAX]), 'validation', 'max_idle_connections', 'a huge max_idle_connections');
    check(Ext\client_new($creds, ['max_idle_connections' => 0, 'base_url' => $base]) instanceof Ext\Client, 'max_idle_connections 0 accepted');
    refuses(fn () => Ext\client_new($creds, ['timeout' => 0]), 'validation', 'timeout', 'a zero timeout');
    throws(fn () => Ext\client_new($creds, ['base_url' => null]), TypeError::class, ['base_url', 'null'], 'base_url null');
    throws(fn () => Ext\client_new($creds, ['base_url' => ['x']]), TypeError::class, ['base_url', 'array'], 'base_url an array');
    refuses(fn () => Ext\client_new($creds, ['base_url' => "http://a\0b"]), 'validation', 'base_url', 'a NUL in base_url');
    refuses(fn () => Ext\client_new($creds, ['base_url' => 'ftp://x']), 'validation', 'base_url', 'base_url not http');
    refuses(fn () => Ext\client_new($creds, ['base_url' => str_repeat('a', 10_000_000)]), 'validation', 'base_url', 'a 10 MB base_url');
    refuses(fn () => Ext\client_new($creds, ['proxy' => "\xff"]), 'validation', null, 'a non-UTF-8 proxy');
    throws(fn () => Ext\client_new($creds, [], 'no_such_function'), TypeError::class, ['$log', 'valid callback'], 'a log that is not callable');
    check(Ext\client_new($creds, ['proxy' => false, 'connect_retries' => 0, 'base_url' => $base]) instanceof Ext\Client, 'proxy false and connect_retries 0 accepted');
});

group('request(): wrong types, NUL, huge and non-UTF-8 values refused naming the field, nothing sent', function () use ($creds, $base) {
    $c = Ext\client_new($creds, ['base_url' => $base]);
    refuses(fn () => Ext\request($c, "conf_create\0", []), 'validation', 'operation', 'a NUL in the operation');
    refuses(fn () => Ext\request($c, 'no_such_operation', []), 'validation', null, 'an unknown operation');
    refuses(fn () => Ext\request($c, "\xff", []), 'validation', null, 'a non-UTF-8 operation');
    throws(fn () => Ext\request($c, 'conf_create', ['max_duration' => 1.5]), TypeError::class, ['max_duration', 'float'], 'a float field');
    throws(fn () => Ext\request($c, 'conf_create', ['max_duration' => [1]]), TypeError::class, ['max_duration', 'array'], 'an array field');
    throws(fn () => Ext\request($c, 'conf_create', ['max_duration' => new stdClass()]), TypeError::class, ['max_duration', 'stdClass'], 'an object field');
    refuses(fn () => Ext\request($c, 'conf_create', ["max\0duration" => 60]), 'validation', "max\0duration", 'a NUL in a field name');
    refuses(fn () => Ext\request($c, 'conf_create', ['max_duration' => 60, 'user_data' => "a\0"]), 'validation', 'user_data', 'a NUL in a value');
    refuses(fn () => Ext\request($c, 'conf_create', ['max_duration' => 60, 'user_data' => "\xc3\x28"]), 'validation', 'user_data', 'a non-UTF-8 value');
    refuses(fn () => Ext\request($c, 'conf_create', ['max_duration' => 60, 'user_data' => str_repeat('x', 5_000_000)]), 'validation', 'user_data', 'a 5 MB value');
    refuses(fn () => Ext\request($c, 'conf_create', ['max_duration' => '60']), 'validation', 'max_duration', 'a string for an integer');
    refuses(fn () => Ext\request($c, 'conf_create', ['max_duration' => PHP_INT_MIN]), 'validation', 'max_duration', 'PHP_INT_MIN');
    refuses(fn () => Ext\request($c, 'conf_create', ['max_duration' => 60, 'nope' => 1]), 'validation', 'nope', 'an unknown field');
    refuses(fn () => Ext\request($c, 'conf_create', [7 => 60]), 'validation', '7', 'an integer key');
    refuses(fn () => Ext\request($c, 'notify_call', ['to' => '13800000001', 'play_content' => '[1'], ['play_content' => true]), 'validation', 'play_content', 'broken JSON text');
    refuses(fn () => Ext\request($c, 'conf_create', []), 'validation', 'max_duration', 'a missing field');
    throws(fn () => Ext\request($c, 'conf_create', ['max_duration' => 60], [], -5), ValueError::class, ['timeoutMs'], 'a negative timeout');
    refuses(fn () => Ext\request($c, 'conf_create', ['max_duration' => 60], [], PHP_INT_MAX), 'validation', 'timeout', 'a huge timeout');
    throws(fn () => Ext\request(new stdClass(), 'conf_create', []), TypeError::class, ['Client', 'stdClass'], 'not a client');
    throws(fn () => Ext\request($c, null, []), TypeError::class, ['operation', 'null'], 'a null operation');
    [$json, $callId] = Ext\request($c, 'duo_callback', DC + ['user_data' => '订单', 'ring_tone' => null], [], 5000);
    check(is_string($callId) && strlen($callId) === 32 && json_decode($json, true)['user_data'] === '订单',
        "duo_callback sent (null fields skipped) gives the call id: $callId $json");
    $e = thrown(fn () => Ext\request($c, 'duo_callback_cancel', ['call_id' => str_repeat('0', 32)]));
    check($e instanceof Yunhuni\Exception && $e->kind === 'api' && $e->getCode() === 2, 'an api error: ' . ($e === null ? 'none' : $e->getMessage()));
});

group('parse_event(), signing, code_info(): bytes of any kind, never a crash', function () {
    refuses(fn () => Ext\parse_event(''), 'decode', null, 'an empty body');
    refuses(fn () => Ext\parse_event("\0\0\0"), 'decode', null, 'NUL bytes');
    refuses(fn () => Ext\parse_event(str_repeat('[', 1_000_000)), 'decode', null, 'a million brackets');
    refuses(fn () => Ext\parse_event('{"event":"x"' . str_repeat(' ', 20_000_000) . '}'), 'decode', null, 'a 20 MB body');
    [$name, $id, $raw] = Ext\parse_event("{\"event\":\"duo_callback.end\",\"id\":\"a\",\"user_data\":\"\xe9\"}");
    check($name === 'duo_callback.end' && $id === 'a' && str_contains($raw, 'é'), 'Latin-1 bytes read as the platform sends them');
    throws(fn () => Ext\parse_event(null), TypeError::class, ['body', 'null'], 'null');
    refuses(fn () => Ext\sign('POST', "/a\0", 'application/json', '20200101000000', 'app', '{}', 'k'), 'validation', 'uri', 'a NUL in the uri');
    refuses(fn () => Ext\sign('POST', '/a', 'application/json', '20200101000000', 'app', '{}', "k\0"), 'validation', 'secret_key', 'a NUL in the key');
    refuses(fn () => Ext\string_to_sign('POST', "\xff", 'application/json', '20200101000000', 'app', '{}'), 'validation', null, 'a non-UTF-8 uri');
    check(Ext\sign('POST', '/a', 'application/json', '20200101000000', 'app', "\0\xff", 'k')
        === Yunhuni\sign('POST', '/a', 'application/json', '20200101000000', 'app', "\0\xff", 'k'), 'a binary body is signed as bytes');
    throws(fn () => Ext\sign('POST', '/a', 'application/json', '20200101000000', 'app', '{}'), ArgumentCountError::class, ['7'], 'six arguments to sign()');
    check(Ext\code_info('999999') === null && Ext\code_info("\xff") === null, 'code_info of unknown codes is null');
    refuses(fn () => Ext\code_info("0\0"), 'validation', 'code', 'a NUL in a code');
});

group('objects freed in any order; the log callable held, released and never thrown through', function () use ($creds, $base) {
    $freed = new ArrayObject();
    $tracker = new class ($freed) {
        public function __construct(private ArrayObject $freed) {}
        public function __destruct() { $this->freed['log'] = true; }
    };
    $entries = [];
    $log = function (array $entry) use ($tracker, &$entries) { $entries[] = $entry; };
    $c = Ext\client_new($creds, ['base_url' => $base], $log);
    unset($log, $tracker);
    check(!isset($freed['log']), 'the client holds its log callable');
    Ext\request($c, 'duo_callback', DC);
    check(count($entries) === 1 && $entries[0]['method'] === 'POST' && $entries[0]['status'] === 200
        && is_float($entries[0]['duration_ms']) && $entries[0]['attempts'] === 1 && str_contains($entries[0]['line'], 'duo_callback'),
        'the log callable got the entry: ' . json_encode($entries[0] ?? null));
    unset($c);
    check(isset($freed['log']), 'freeing the client frees its log callable');

    // A cycle: the log callable holds the client that holds it.
    $freed = new ArrayObject();
    $holder = new class ($freed) {
        public ?object $client = null;
        public function __construct(private ArrayObject $freed) {}
        public function __destruct() { $this->freed['cycle'] = true; }
    };
    $holder->client = Ext\client_new($creds, ['base_url' => $base], function () use ($holder) {});
    unset($holder);
    gc_collect_cycles();
    check(isset($freed['cycle']), 'a cycle through the log callable is collected');

    // Several clients, freed in an order unlike their making; a client outliving what made it.
    $clients = [];
    for ($i = 0; $i < 6; $i++) {
        $clients[] = Ext\client_new($creds, ['base_url' => $base, 'user_agent' => "t$i"], fn () => null);
    }
    foreach ([3, 0, 5, 1] as $i) {
        unset($clients[$i]);
    }
    $kept = $clients[4];
    $clients = null;
    check(strlen((string) Ext\request($kept, 'duo_callback', DC)[1]) === 32, 'a client kept after the others are freed still works');

    // Clients without a log callable are the process's: the same arguments give the same cached
    // client, which outlives every object that handed it out.
    $one = Ext\client_new($creds, ['base_url' => $base, 'user_agent' => 'cached']);
    $two = Ext\client_new($creds, ['base_url' => $base, 'user_agent' => 'cached']);
    check(Ext\client_info($one)['cached'] && Ext\client_info($two)['cached'], 'clients without a log callable are cached');
    check(!Ext\client_info(Ext\client_new($creds, ['base_url' => $base], fn () => null))['cached'], 'a client with a log callable is not');
    unset($one);
    check(strlen((string) Ext\request($two, 'duo_callback', DC)[1]) === 32, 'a cached client works after another object holding it is freed');
    unset($two);
    $three = Ext\client_new($creds, ['base_url' => $base, 'user_agent' => 'cached']);
    check(strlen((string) Ext\request($three, 'duo_callback', DC)[1]) === 32, 'and after every object holding it is freed');

    // The log callable throws: a warning, the request goes on, nothing thrown to the caller.
    $c = Ext\client_new($creds, ['base_url' => $base], function () { throw new RuntimeException('boom'); });
    $warnings = [];
    set_error_handler(function (int $no, string $msg) use (&$warnings) { $warnings[] = $msg; return true; });
    $e = thrown(fn () => Ext\request($c, 'duo_callback', DC));
    restore_error_handler();
    check($e === null && count($warnings) === 1 && str_contains($warnings[0], 'log callback threw'), 'a throwing log callable: ' . json_encode($warnings));

    // The log callable frees the last other reference to its client during the call.
    $box = ['c' => null];
    $box['c'] = Ext\client_new($creds, ['base_url' => $base], function () use (&$box) { $box['c'] = null; });
    $e = thrown(fn () => Ext\request($box['c'], 'duo_callback', DC));
    check($e === null && $box['c'] === null, 'a client dropped by its own log callable mid-call');
});

group('the same answers as through Yunhuni\Client, errors included', function () use ($creds, $base) {
    $client = new Yunhuni\Client(...[...$creds, ['base_url' => $base]]);
    $e = thrown(fn () => $client->request('duo_callback_cancel', ['call_id' => str_repeat('0', 32)]));
    check($e instanceof Yunhuni\Exception && $e->kind === 'api' && $e->platformCode !== null && $e->status === 200
        && $e->getCode() === 2 && is_string($e->platformMessage), 'an api error carries kind, code, status, result and message: '
        . ($e === null ? 'none' : $e->getMessage()));
    $e = thrown(fn () => (new Yunhuni\Client('a', 'b', 'c', ['base_url' => 'http://127.0.0.1:1', 'connect_retries' => 0]))->confCreate(60));
    check($e instanceof Yunhuni\Exception && $e->kind === 'transport' && $e->maybeSent === false, 'a refused port: transport, not sent');
});

finish('ext_test');
