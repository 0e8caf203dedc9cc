<?php
// Yunhuni\parse_event() on every event vector, and the webhook receiver answering each body.
//
//   YUNHUNI_WEBHOOK_URL=http://127.0.0.1:PORT/ YUNHUNI_WEBHOOK_LOG=... \
//   php -d ffi.enable=1 events_test.php VECTORS_DIR

declare(strict_types=1);

require_once __DIR__ . '/lib.php';

$vectors = $argv[1] ?? dirname(__DIR__, 2) . '/tests/vectors';
$cases = json_decode((string) file_get_contents("$vectors/events.json"), true)['cases'];

/** Equal as JSON values: same keys with equal values, whatever the key order. */
function same(mixed $a, mixed $b): bool
{
    if (is_array($a) && is_array($b)) {
        if (count($a) !== count($b) || array_is_list($a) !== array_is_list($b)) {
            return false;
        }
        foreach ($a as $k => $v) {
            if (!array_key_exists($k, $b) || !same($v, $b[$k])) {
                return false;
            }
        }
        return true;
    }
    return $a === $b;
}

group('parse_event on every vector', function () use ($cases) {
    foreach ($cases as $c) {
        $body = (string) hex2bin($c['body_hex']);
        $expect = $c['expect'];
        if (isset($expect['type'])) {
            $event = Yunhuni\parse_event($body);
            check(same($event->toArray(), $expect), "{$c['name']}: canonical view");
            check($event->name === $expect['event'] && $event->type() === $expect['type'], "{$c['name']}: name and type");
            check($event->outcome() === ($expect['outcome'] ?? null), "{$c['name']}: outcome");
            check($event->userData() === (is_string($expect['user_data'] ?? null) ? $expect['user_data'] : ($expect['fields']['user_data'] ?? null)), "{$c['name']}: user data");
            check($event->rawJson !== '', "{$c['name']}: raw JSON");
        } else {
            $e = expect_exception(fn () => Yunhuni\parse_event($body), "{$c['name']}: rejected");
            check($e?->kind === $expect['error'], "{$c['name']}: kind {$expect['error']}");
        }
    }
    check(count($cases) >= 60, count($cases) . ' event vectors');
});

/** POSTs `$body` to the webhook receiver; returns [status, response body]. */
function post(string $url, string $body): array
{
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => "Content-Type: application/json;charset=utf-8\r\n",
        'content' => $body,
        'ignore_errors' => true,
        'timeout' => 10,
    ]]);
    $response = @file_get_contents($url, false, $context);
    $status = 0;
    foreach ($http_response_header ?? [] as $h) {
        if (preg_match('#^HTTP/\S+ (\d{3})#', $h, $m)) {
            $status = (int) $m[1];
        }
    }
    return [$status, (string) $response];
}

group('the webhook receiver answers every vector', function () use ($cases) {
    $url = env('YUNHUNI_WEBHOOK_URL');
    foreach ($cases as $c) {
        $body = (string) hex2bin($c['body_hex']);
        [$status] = post($url, $body);
        $want = isset($c['expect']['type']) ? 200 : 400;
        check($status === $want, "{$c['name']}: webhook answered $status, expected $want");
    }
    $id = '8a2bc6725b1d2e3f015b1d2f40a10006';
    $line = log_lines($id)[0] ?? '';
    check(str_contains($line, 'event duo_callback.end') && str_contains($line, 'outcome=connected'), "one line logged per event: $line");
});

finish('events_test');
