<?php
// Yunhuni\Webhook on whichever backend the library runs (FFI or the extension): the Receiver
// (token, sizes, typed events, duplicates, release, stores, its refusals and their statuses),
// serve() as a plain PHP application sees it (a counting stream shows what was read), the
// RedisStore on phpredis and on Predis against a real redis-server (YUNHUNI_TEST_REDIS=host:port),
// and the PSR-15 middleware and request handler on Nyholm's PSR-7 (YUNHUNI_TEST_PSR=1).
//
//   YUNHUNI_TEST_REDIS=127.0.0.1:6379 YUNHUNI_TEST_PSR=1 php -d ffi.enable=1 webhook_test.php

declare(strict_types=1);

require_once __DIR__ . '/lib.php';

use Yunhuni\Event;
use Yunhuni\Exception;
use Yunhuni\Webhook\Delivery;
use Yunhuni\Webhook\MemoryStore;
use Yunhuni\Webhook\Receiver;
use Yunhuni\Webhook\RedisStore;

const BODY = '{"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","event":"duo_callback.end","hangup_by":"1"}';

/** A stream wrapper over a string that counts the bytes read from it (yhcount://NAME). */
final class CountingStream
{
    /** @var array<string, string> */
    public static array $bodies = [];
    /** @var array<string, int> */
    public static array $read = [];
    public $context;
    private string $name = '';
    private int $pos = 0;

    public static function make(string $name, string $body): mixed
    {
        self::$bodies[$name] = $body;
        self::$read[$name] = 0;
        $stream = fopen("yhcount://$name", 'rb');
        stream_set_chunk_size($stream, 1); // count what the reader takes, not PHP's read-ahead
        return $stream;
    }

    public function stream_open(string $path, string $mode, int $options, ?string &$opened): bool
    {
        $this->name = substr($path, strlen('yhcount://'));
        return isset(self::$bodies[$this->name]);
    }

    public function stream_read(int $count): string
    {
        $chunk = substr(self::$bodies[$this->name], $this->pos, $count);
        $this->pos += strlen($chunk);
        self::$read[$this->name] += strlen($chunk);
        return $chunk;
    }

    public function stream_eof(): bool
    {
        return $this->pos >= strlen(self::$bodies[$this->name]);
    }

    public function stream_tell(): int
    {
        return $this->pos;
    }

    public function stream_seek(int $offset, int $whence): bool
    {
        if ($whence !== SEEK_SET || $offset < 0 || $offset > strlen(self::$bodies[$this->name])) {
            return false;
        }
        $this->pos = $offset;
        return true;
    }

    public function stream_set_option(int $option, int $arg1, ?int $arg2): bool
    {
        return false;
    }

    public function stream_stat(): array
    {
        return [];
    }
}
stream_wrapper_register('yhcount', CountingStream::class);

/** Runs serve() on a request; returns [status, output, handler calls]. */
function serve_once(Receiver $receiver, array $server, string $name, string $body, ?callable $handler = null): array
{
    $calls = [];
    $input = CountingStream::make($name, $body);
    ob_start();
    $status = Yunhuni\Webhook\serve($receiver, function (Event $event, Delivery $delivery) use (&$calls, $handler) {
        $calls[] = $delivery;
        return $handler ? $handler($event, $delivery) : null;
    }, $server, $input);
    $out = (string) ob_get_clean();
    fclose($input);
    return [$status, $out, $calls];
}

function post(string $query, ?int $length): array
{
    return ['REQUEST_METHOD' => 'POST', 'QUERY_STRING' => $query] + ($length === null ? [] : ['CONTENT_LENGTH' => (string) $length]);
}

group('a delivery: the typed event, its key, the answer, duplicates, release', function () {
    $r = new Receiver(token: 'k');
    $d = $r->receive('token=k', BODY);
    check($d->event instanceof Event && $d->event->name === 'duo_callback.end' && $d->event->type() === 'duo_callback.end', 'typed duo_callback.end');
    check($d->event->outcome() === 'party1_not_reached' && $d->event->id === '8a2bc6725b1d2e3f015b1d2f40a10001', 'typed accessors: ' . $d->event->outcome());
    check(preg_match('/^duo_callback\.end:8a2bc6725b1d2e3f015b1d2f40a10001:[0-9a-f]{16}$/', $d->key) === 1, "key $d->key");
    check(!$d->duplicate && $d->status === 200 && $d->body === 'ok', 'new, answered 200 ok');
    $again = $r->receive('token=k', BODY);
    check($again->duplicate && $again->key === $d->key && $again->status === 200, 'the re-send is a duplicate, answered 200');
    $r->release($d);
    check(!$r->receive('token=k', BODY)->duplicate, 'after release() the re-send is new');
    $r->release($d->key);
    check(!$r->receive('token=k', BODY)->duplicate, 'release() by key');
    $other = $r->receive('token=k', str_replace('"hangup_by":"1"', '"hangup_by":"2"', BODY));
    check(!$other->duplicate && $other->key !== $d->key, 'another body of the same call is another delivery');
    $defaults = Receiver::defaults();
    check($defaults['redis_key_prefix'] === 'yunhuni:webhook:' && $defaults['ttl_ms'] === 3_600_000, "core's defaults: " . json_encode($defaults));
    // Other events, and what the platform really sends (ISO-8859-1 bytes).
    $conf = $r->receive('token=k', '{"event":"conf.end","id":"c1","action":"event_notify"}');
    check($conf->event->name === 'conf.end' && str_starts_with($conf->key, 'conf.end:c1:'), "conf.end: $conf->key");
    $latin = $r->receive('token=k', "{\"event\":\"duo_callback.end\",\"id\":\"x1\",\"user_data\":\"caf\xe9\"}");
    check($latin->event->userData() === 'café', 'ISO-8859-1 body decoded: ' . $latin->event->userData());
    $msg = $r->receive('token=k', '{"event":"some.future_event","msgKey":"m-1"}');
    check($msg->event->type() === 'event' && str_starts_with($msg->key, 'some.future_event:m-1:'), "an unknown event is kept whole, keyed by msgKey: $msg->key");
});

group('ivr_start is never claimed', function () {
    $r = new Receiver();
    $body = '{"action":"ivr_start","id":"c0ffee00c0ffee00c0ffee00c0ffee00","from":"13800000001","to":"95000001","begin_time":1490930400000}';
    $first = $r->receive('', $body);
    check($first->event->name === 'ivr_start' && !$first->duplicate, 'ivr_start parsed');
    check(!$r->receive('', $body)->duplicate, 'the same ivr_start again is not a duplicate');
});

group('refusals: the status to answer, what was wrong, a wrong token before parsing', function () {
    $r = new Receiver(token: 'a b&c');
    check(!$r->receive('x=1&token=a%20b%26c', BODY)->duplicate, 'a percent-encoded token matches');
    $e = expect_exception(fn () => $r->receive('', 'not json at all'), 'no token');
    check($e?->status === 401 && $e->kind === 'auth' && $e->field === 'token', "401 auth token: {$e?->getMessage()}");
    $e = expect_exception(fn () => $r->receive('token=guess', 'not json at all'), 'a wrong token');
    check($e?->status === 403 && $e->kind === 'auth' && $e->field === 'token', "403, not 400: the body was not parsed: {$e?->getMessage()}");
    check(!str_contains((string) $e?->getMessage(), 'a b&c'), 'the message does not hold the token');
    $e = expect_exception(fn () => $r->receive("token=\xff\xfe", BODY), 'a token of bytes that are not UTF-8');
    check($e?->status === 403, 'refused 403');
    $e = expect_exception(fn () => $r->receive('token=a%20b%26c', 'not json at all'), 'not an event');
    check($e?->status === 400 && $e->kind === 'decode', "400 decode: {$e?->getMessage()}");
    $e = expect_exception(fn () => $r->receive('token=a%20b%26c', ''), 'an empty body');
    check($e?->status === 400, '400');
    $e = expect_exception(fn () => $r->receive('token=a%20b%26c', '[1,2]'), 'a JSON array');
    check($e?->status === 400, '400');
    $e = expect_exception(fn () => $r->checkHead('token=a%20b%26c', 100 * 1024 * 1024), 'a declared 100 MB');
    check($e?->status === 413 && $e->field === 'body', "413 body: {$e?->getMessage()}");
    $e = expect_exception(fn () => $r->checkHead('token=a%20b%26c', PHP_INT_MAX), 'a declared PHP_INT_MAX');
    check($e?->status === 413, '413');
    $e = expect_exception(fn () => $r->checkHead('token=nope', 10), 'checkHead: a wrong token');
    check($e?->status === 403, '403');
    $r->checkHead('token=a%20b%26c', null);
    $r->checkHead('token=a%20b%26c', 1024 * 1024);
    check(true, 'checkHead passes a right token with no length, and with 1 MiB');
    $small = new Receiver(maxBody: 200);
    check($small->maxBody() === 200, 'maxBody()');
    $e = expect_exception(fn () => $small->receive('', BODY . str_repeat(' ', 200)), 'a body over maxBody');
    check($e?->status === 413, '413');
    $e = expect_exception(fn () => $r->receive("token=a\0b", BODY), 'a query holding NUL');
    check($e?->kind === 'validation' && $e->field === 'query', 'validation, query');
});

group('construction: values out of range are refused, naming them', function () {
    $cases = [
        'token' => fn () => new Receiver(token: ''),
        'token ' => fn () => new Receiver(token: str_repeat('t', 257)),
        'token  ' => fn () => new Receiver(token: "a\0b"),
        'token_param' => fn () => new Receiver(tokenParam: 'a b'),
        'max_body' => fn () => new Receiver(maxBody: 0),
        'max_body ' => fn () => new Receiver(maxBody: 2 * 1024 * 1024),
        'max_body  ' => fn () => new Receiver(maxBody: -5),
        'capacity' => fn () => new Receiver(store: new MemoryStore(capacity: 0)),
        'ttl_ms' => fn () => new Receiver(store: new MemoryStore(ttlMs: -1)),
    ];
    foreach ($cases as $field => $make) {
        $e = expect_exception($make, "$field refused");
        check($e?->kind === 'validation' && $e->field === trim($field), "validation naming " . trim($field) . ": {$e?->field}: {$e?->getMessage()}");
    }
});

if (Yunhuni\backend() === 'extension') {
    group('the extension: its Receiver handle cannot be made or copied by hand', function () {
        foreach ([
            'constructed' => fn () => new Yunhuni\Ext\Receiver(),
            'cloned' => fn () => clone Yunhuni\Ext\webhook_receiver_new(null, null, 0, true, 0, 0),
            'unserialized' => fn () => unserialize('O:20:"Yunhuni\\Ext\\Receiver":0:{}'),
        ] as $what => $make) {
            try {
                $make();
                check(false, "a Yunhuni\\Ext\\Receiver $what");
            } catch (\Error|\Exception $e) {
                check(true, "$what: " . $e->getMessage());
            }
        }
        try {
            Yunhuni\Ext\webhook_receiver_new(null, null, -1, true, 0, 0);
            check(false, 'a negative max_body accepted');
        } catch (ValueError $e) {
            check(str_contains($e->getMessage(), 'must be 0 or more'), 'a negative size: ValueError');
        }
    });
}

group('stores: none, and the bounded in-process one', function () {
    $none = new Receiver(store: null);
    $none->receive('', BODY);
    check(!$none->receive('', BODY)->duplicate, 'without a store every delivery is new');
    $none->release('anything');
    $small = new Receiver(store: new MemoryStore(capacity: 2));
    $bodies = array_map(fn ($i) => "{\"event\":\"conf.end\",\"id\":\"c$i\"}", [1, 2, 3]);
    foreach ($bodies as $b) {
        $small->receive('', $b);
    }
    check($small->receive('', $bodies[2])->duplicate, 'the newest is remembered');
    check(!$small->receive('', $bodies[0])->duplicate, 'capacity 2: the oldest was forgotten');
    $short = new Receiver(store: new MemoryStore(ttlMs: 1));
    $short->receive('', BODY);
    usleep(20_000);
    check(!$short->receive('', BODY)->duplicate, 'ttlMs 1: forgotten once its time ran out');
});

group('serve(): the plain PHP helper', function () {
    $r = new Receiver(token: 'k', maxBody: 4096);
    [$status, $out, $calls] = serve_once($r, post('token=wrong', strlen(BODY)), 'wrong', BODY);
    check($status === 403 && $calls === [] && CountingStream::$read['wrong'] === 0, "a wrong token: 403, nothing read, no handler ($status, read " . CountingStream::$read['wrong'] . ')');
    check(str_contains($out, 'token'), "says what was wrong: $out");
    [$status, , $calls] = serve_once($r, post('', strlen(BODY)), 'none', BODY);
    check($status === 401 && $calls === [] && CountingStream::$read['none'] === 0, 'no token: 401, nothing read');
    [$status, $out, $calls] = serve_once($r, post('token=k', 100 * 1024 * 1024), 'huge', str_repeat('x', 1 << 20));
    check($status === 413 && $calls === [] && CountingStream::$read['huge'] === 0, "a declared 100 MB: 413 unread ($out)");
    [$status, , $calls] = serve_once($r, post('token=k', null), 'chunked', str_repeat('x', 1 << 20));
    check($status === 413 && CountingStream::$read['chunked'] === 4097, 'no Content-Length and a long body: at most the limit + 1 byte read, 413 (read ' . CountingStream::$read['chunked'] . ')');
    [$status] = serve_once($r, post('token=k', null) + ['CONTENT_LENGTH' => '12abc'], 'badlen', BODY);
    check($status === 400, "a Content-Length that is not a length: 400 ($status)");
    [$status, , $calls] = serve_once($r, ['REQUEST_METHOD' => 'GET', 'QUERY_STRING' => 'token=k'], 'get', BODY);
    check($status === 405 && $calls === [], 'GET: 405');
    [$status, $out, $calls] = serve_once($r, post('token=k', strlen(BODY)), 'first', BODY);
    check($status === 200 && $out === 'ok' && count($calls) === 1 && $calls[0]->event->name === 'duo_callback.end', "a new delivery: handled, 200 ok ($status $out)");
    [$status, $out, $calls] = serve_once($r, post('token=k', strlen(BODY)), 'dup', BODY);
    check($status === 200 && $calls === [], 'its re-send: 200, not handled again');
    $body2 = '{"event":"conf.end","id":"c9"}';
    $log = ini_set('error_log', '/dev/null');
    [$status, , $calls] = serve_once($r, post('token=k', strlen($body2)), 'fail', $body2, function () {
        throw new RuntimeException('the database is down');
    });
    ini_set('error_log', (string) $log);
    check($status === 500 && count($calls) === 1, "the handler threw: 500 ($status)");
    [$status, , $calls] = serve_once($r, post('token=k', strlen($body2)), 'resend', $body2);
    check($status === 200 && count($calls) === 1, 'the re-send after a failure is handled');
    [$status, , $calls] = serve_once($r, post('token=k', strlen($body2)), 'resend2', $body2);
    check($status === 200 && $calls === [], '... once');
    $ivr = '{"action":"ivr_start","id":"c0ffee00c0ffee00c0ffee00c0ffee01","from":"13800000001","to":"95000001"}';
    [$status, $out] = serve_once($r, post('token=k', strlen($ivr)), 'ivr', $ivr, fn () => (new Yunhuni\Ivr\Response())->play('hello.wav')->endCall());
    check($status === 200 && str_contains($out, '<play') && str_contains($out, 'hello.wav'), "ivr_start answered with the handler's document: $out");
});

$redisAt = getenv('YUNHUNI_TEST_REDIS');
if (is_string($redisAt) && $redisAt !== '') {
    [$host, $port] = explode(':', $redisAt);
    $clients = [];
    if (check(extension_loaded('redis'), 'phpredis is loaded')) {
        $clients['phpredis'] = function () use ($host, $port) {
            $c = new Redis();
            $c->connect($host, (int) $port, 2.0);
            return $c;
        };
    }
    class_exists(Predis\Client::class) || @include_once 'Predis/autoload.php';
    if (check(class_exists(Predis\Client::class), 'Predis is installed')) {
        $clients['predis'] = fn () => new Predis\Client("tcp://$host:$port");
    }
    foreach ($clients as $name => $connect) {
        group("RedisStore on $name against redis-server", function () use ($connect, $name) {
            $raw = $connect();
            $store = new RedisStore($raw, ttlMs: 60_000);
            $key = "test:$name:" . bin2hex(random_bytes(6));
            check($store->claim($key) === true, 'claim: true the first time');
            check($store->claim($key) === false, 'claim: false the second');
            check($store->redisKey($key) === "yunhuni:webhook:$key", "core's prefix: " . $store->redisKey($key));
            $pttl = (int) $raw->pttl("yunhuni:webhook:$key");
            check($pttl > 0 && $pttl <= 60_000, "SET ... PX: the key expires ($pttl ms left)");
            $store->release($key);
            check((int) $raw->exists("yunhuni:webhook:$key") === 0 && $store->claim($key) === true, 'release: DEL, then new again');
            check((new RedisStore($raw))->ttlMs() === 3_600_000, "core's default TTL");
            // Two receivers, as two processes would have, each with its own connection.
            $a = new Receiver(token: 't', store: new RedisStore($connect()));
            $b = new Receiver(token: 't', store: new RedisStore($connect()));
            $body = '{"event":"conf.end","id":"' . $key . '"}';
            $first = $a->receive('token=t', $body);
            check(!$first->duplicate && $b->receive('token=t', $body)->duplicate, 'a delivery seen by one receiver is a duplicate for the other');
            $a->release($first);
            check(!$b->receive('token=t', $body)->duplicate, 'released by one, new for the other');
            $ivr = '{"action":"ivr_start","id":"' . md5($key) . '","from":"1","to":"2"}';
            $a->receive('token=t', $ivr);
            check(!$b->receive('token=t', $ivr)->duplicate, 'ivr_start is not claimed in Redis');
        });
        group("leases in Redis on $name: core's scripts, a dead handler, a slow live one", function () use ($connect, $name) {
            $raw = $connect();
            $store = new RedisStore($raw, ttlMs: 60_000);
            $defaults = Receiver::defaults();
            check($defaults['lease_ms'] === 2000 && $defaults['wait_ms'] === 4000 && $defaults['poll_ms'] === 50
                && $defaults['unrenewed_lease_ms'] === 10000, "core's lease times: " . json_encode($defaults));
            check(str_contains((string) $defaults['claim_script'], 'KEYS[1]') && $defaults['pending_prefix'] === 'p:', "core's scripts");
            $key = "lease:$name:" . bin2hex(random_bytes(6));
            [$a, $b] = ['p:' . bin2hex(random_bytes(16)), 'p:' . bin2hex(random_bytes(16))];
            check($store->claimLease($key, $a, 2000) === 'claimed', 'claimLease: claimed when absent');
            check((string) $raw->get("yunhuni:webhook:$key") === $a, 'the value is the owner');
            check($store->claimLease($key, $b, 2000) === 'pending', 'claimLease: pending for another owner');
            check($store->renew($key, $b, 9000) === false && $store->releaseOwned($key, $b) === false, 'only the owner renews or releases');
            check($store->renew($key, $a, 9000) === true && (int) $raw->pttl("yunhuni:webhook:$key") > 2000, 'renew: the lease extended');
            check($store->complete($key, $a) === true && (string) $raw->get("yunhuni:webhook:$key") === 'd', 'complete: done');
            check($store->claimLease($key, $b, 2000) === 'done', 'claimLease: done');
            $raw->del("yunhuni:webhook:$key"); // gone: core's scripts are loaded (EVALSHA) from now on
            check($store->claimLease($key, $b, 2000) === 'claimed', 'EVALSHA once Redis has the script');

            // A dead handler: the first delivery's key claimed with a short lease, never renewed.
            $body = '{"event":"duo_callback.end","action":"event_notify","id":"' . $key . '","hangup_by":"1"}';
            $r = new Receiver(token: 't', store: new RedisStore($connect()), leaseMs: 200, waitMs: 30_000, pollMs: 10);
            $dead = $r->begin('token=t', $body);
            check($dead->owner !== null && !$dead->duplicate, 'begin: claimed under a lease');
            $server = ['REQUEST_METHOD' => 'POST', 'QUERY_STRING' => 'token=t', 'CONTENT_LENGTH' => (string) strlen($body)];
            [$status, , $calls] = serve_once($r, $server, "dead-$name", $body);
            check($status === 200 && count($calls) === 1, "the re-send is handled once the dead handler's lease ran out ($status)");
            [$status, , $calls] = serve_once($r, $server, "dead2-$name", $body);
            check($status === 200 && count($calls) === 0, 'a later re-send is a duplicate');
            check($r->complete($dead) === false, 'the dead owner holds nothing');

            // A slow live handler, renewing by hand: a re-send (here another receiver, as another
            // worker would be) waits while it renews, and is a duplicate once it completes.
            $slowBody = str_replace($key, "$key-slow", $body);
            $slow = new Receiver(token: 't', store: new RedisStore($connect()), leaseMs: 1500);
            $first = $slow->begin('token=t', $slowBody);
            $other = new Receiver(token: 't', store: new RedisStore($connect()), waitMs: 100, pollMs: 10);
            $still = null;
            for ($i = 0; $i < 4; $i++) { // longer than the lease, renewed every 500 ms
                usleep(500_000);
                check($first->renew(), 'renew() while handling');
            }
            try {
                $other->begin('token=t', $slowBody);
            } catch (Exception $e) {
                $still = $e;
            }
            check($still !== null && $still->status === 503 && $still->kind === 'timeout', 'still held after the wait: 503, kind timeout');
            check($slow->complete($first) === true, 'complete');
            check($other->begin('token=t', $slowBody)->duplicate, 'then the re-send is a duplicate');
            // Released after a failure: the re-send is claimed.
            $failBody = str_replace($key, "$key-fail", $body);
            $failed = $r->begin('token=t', $failBody);
            $r->release($failed);
            $again = $other->begin('token=t', $failBody);
            check($again->owner !== null && !$again->duplicate, 'released: the re-send is claimed');
            $bad = null;
            try {
                new Receiver(store: $store, leaseMs: 1);
            } catch (Exception $e) {
                $bad = $e;
            }
            check($bad !== null && $bad->field === 'lease_ms', 'a lease out of range names lease_ms');
        });
    }
    group('RedisStore: a Redis that fails is answered 503, never taken for a duplicate', function () use ($clients, $port) {
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $closed = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $cases = [];
        foreach ($clients as $name => $connect) {
            // Redis answers writes with an error (NOREPLICAS) while min-replicas-to-write is 1.
            $cases["$name, an error answer"] = [$connect(), true];
        }
        if (isset($clients['predis'])) {
            $cases['predis, nothing listening'] = [new Predis\Client("tcp://127.0.0.1:$closed"), false];
        }
        $admin = ($clients['predis'] ?? $clients['phpredis'])();
        foreach ($cases as $name => [$client, $readOnly]) {
            $r = new Receiver(store: new RedisStore($client));
            $body = '{"event":"conf.end","id":"' . bin2hex(random_bytes(6)) . '"}';
            $readOnly && $admin->config('SET', 'min-replicas-to-write', '1');
            try {
                $e = expect_exception(fn () => $r->receive('', $body), "$name: the claim fails");
                check($e?->kind === 'transport' && $e->status === 503 && $e->getPrevious() !== null, "$name: transport, 503: {$e?->getMessage()}");
                $log = ini_set('error_log', '/dev/null');
                [$status, , $calls] = serve_once($r, post('', strlen($body)), "dead-$name", $body);
                ini_set('error_log', (string) $log);
                check($status === 503 && $calls === [], "$name: serve() answers 503 without handling ($status)");
            } finally {
                $readOnly && $admin->config('SET', 'min-replicas-to-write', '0');
            }
            $readOnly && check(!$r->receive('', $body)->duplicate, "$name: once Redis works again the delivery is new");
        }
    });
    group('RedisStore: only Redis clients', function () {
        try {
            new RedisStore(new stdClass());
            check(false, 'a stdClass accepted');
        } catch (TypeError $e) {
            check(str_contains($e->getMessage(), 'stdClass'), 'TypeError naming what was given: ' . $e->getMessage());
        }
    });
} else {
    check(getenv('YUNHUNI_TEST_REDIS_OPTIONAL') === '1', 'YUNHUNI_TEST_REDIS names a redis-server (host:port)');
}

if (getenv('YUNHUNI_TEST_PSR') === '1') {
    class_exists(Nyholm\Psr7\Factory\Psr17Factory::class) || @include_once 'Nyholm/Psr7/autoload.php';
    group('PSR-15: Middleware and RequestHandler on Nyholm\'s PSR-7', function () {
        $psr17 = new Nyholm\Psr7\Factory\Psr17Factory();
        $request = function (string $query, string $name, string $body, ?string $length = 'auto', string $method = 'POST') use ($psr17) {
            $req = $psr17->createServerRequest($method, "http://app.test/webhook?$query")
                ->withBody($psr17->createStreamFromResource(CountingStream::make($name, $body)));
            if ($length !== null) {
                $req = $req->withHeader('Content-Length', $length === 'auto' ? (string) strlen($body) : $length);
            }
            return $req;
        };
        $next = new class ($psr17) implements Psr\Http\Server\RequestHandlerInterface {
            /** @var list<array{0: Event, 1: Delivery}> */
            public array $seen = [];
            public int $status = 200;
            public bool $throw = false;

            public function __construct(private Nyholm\Psr7\Factory\Psr17Factory $psr17)
            {
            }

            public function handle(Psr\Http\Message\ServerRequestInterface $request): Psr\Http\Message\ResponseInterface
            {
                $this->seen[] = [$request->getAttribute(Yunhuni\Webhook\Psr15\Middleware::EVENT), $request->getAttribute(Yunhuni\Webhook\Psr15\Middleware::DELIVERY)];
                if ($this->throw) {
                    throw new RuntimeException('the handler failed');
                }
                return $this->psr17->createResponse($this->status);
            }
        };
        $mw = new Yunhuni\Webhook\Psr15\Middleware(new Receiver(token: 'k', maxBody: 2048), $psr17);
        $res = $mw->process($request('token=bad', 'p-bad', 'garbage'), $next);
        check($res->getStatusCode() === 403 && $next->seen === [] && CountingStream::$read['p-bad'] === 0, 'a wrong token: 403, the body unread, the next handler not called');
        $res = $mw->process($request('token=k', 'p-huge', 'x', (string) (100 * 1024 * 1024)), $next);
        check($res->getStatusCode() === 413 && CountingStream::$read['p-huge'] === 0, 'a declared 100 MB: 413 unread: ' . $res->getBody());
        $res = $mw->process($request('token=k', 'p-long', str_repeat('x', 100_000), null), $next);
        check($res->getStatusCode() === 413 && CountingStream::$read['p-long'] === 2049, 'no Content-Length: at most the limit + 1 byte read (' . CountingStream::$read['p-long'] . ')');
        $res = $mw->process($request('token=k', 'p-get', BODY, 'auto', 'GET'), $next);
        check($res->getStatusCode() === 405, 'GET: 405');
        $res = $mw->process($request('token=k', 'p-1', BODY), $next);
        check($res->getStatusCode() === 200 && count($next->seen) === 1 && $next->seen[0][0] instanceof Event && $next->seen[0][1] instanceof Delivery, 'a new delivery reaches the next handler with the event and the delivery');
        $res = $mw->process($request('token=k', 'p-2', BODY), $next);
        check($res->getStatusCode() === 200 && (string) $res->getBody() === 'ok' && count($next->seen) === 1, 'its re-send: 200 ok from the middleware, the next handler not called');
        $body = '{"event":"conf.end","id":"psr-1"}';
        $next->status = 503;
        $res = $mw->process($request('token=k', 'p-3', $body), $next);
        check($res->getStatusCode() === 503 && count($next->seen) === 2, "the next handler's 503 is passed on");
        $next->status = 200;
        $next->throw = true;
        $res = $mw->process($request('token=k', 'p-4', $body), $next);
        check($res->getStatusCode() === 500 && count($next->seen) === 3, 'released after the 503, so the re-send is handled; the handler throws: 500');
        $next->throw = false;
        $res = $mw->process($request('token=k', 'p-5', $body), $next);
        check($res->getStatusCode() === 200 && count($next->seen) === 4, 'released after the throw: the next re-send is handled');
        $res = $mw->process($request('token=k', 'p-6', $body), $next);
        check($res->getStatusCode() === 200 && count($next->seen) === 4, '... and only once');

        $events = [];
        $route = new Yunhuni\Webhook\Psr15\RequestHandler(new Receiver(), $psr17, function (Event $e) use (&$events) {
            $events[] = $e->name;
        });
        $res = $route->handle($request('', 'h-1', BODY));
        check($res->getStatusCode() === 200 && (string) $res->getBody() === 'ok' && $events === ['duo_callback.end'], 'RequestHandler: handled, 200 ok');
        $res = $route->handle($request('', 'h-2', BODY));
        check($res->getStatusCode() === 200 && $events === ['duo_callback.end'], 'RequestHandler: the re-send is not handled again');
        $res = $route->handle($request('', 'h-3', '{"nope"'));
        check($res->getStatusCode() === 400 && str_contains($res->getHeaderLine('Content-Type'), 'text/plain'), 'RequestHandler: not an event: 400 text/plain: ' . $res->getBody());
    });
} else {
    check(getenv('YUNHUNI_TEST_PSR_OPTIONAL') === '1', 'YUNHUNI_TEST_PSR=1 (the PSR-7/15/17 interfaces and Nyholm\'s PSR-7 are there)');
}

finish('webhook_test');
