<?php
// A sandbox run received by a webhook application (examples/php/webhook_plain.php or
// webhook_psr15.php) running as several processes that share one redis-server, where the
// application fails the first attempt of a share of the events so that the platform re-sends
// them: every event handled exactly once. Then every body is POSTed again to a second
// application (another server, other processes, the same Redis): answered 200, none handled
// again.
//
//   YUNHUNI_RUN_SANDBOX=http://127.0.0.1:PORT  a sandbox whose callback URL is the application's
//   YUNHUNI_RUN_LOG=FILE                        the application's log (handled KEY ... pid=PID)
//   YUNHUNI_RUN_CALLS=N                         how many calls to place (default 30)
//   YUNHUNI_RUN_SLOW=1                          the application is slow over some events: some
//                                               re-sends must have come after a timeout
//   YUNHUNI_RUN_OTHER_URL=URL                   the second application's URL, token included
//   YUNHUNI_RUN_OTHER_LOG=FILE                  its log
//   YUNHUNI_RUN_URL=URL                         the application's URL without its token, and
//   YUNHUNI_RUN_TOKEN=TOKEN                     the token: POSTs without it, or with a wrong one,
//                                               are refused unparsed; with YUNHUNI_RUN_HUGE=1 a
//                                               declared 100 MB body is refused before it is sent

declare(strict_types=1);

require_once __DIR__ . '/lib.php';

use Yunhuni\Webhook\Receiver;

$sandbox = env('YUNHUNI_RUN_SANDBOX');
$log = env('YUNHUNI_RUN_LOG');
$calls = (int) (getenv('YUNHUNI_RUN_CALLS') ?: 30);

function http(string $method, string $url, string $body = '', array $headers = []): array
{
    $context = stream_context_create(['http' => [
        'method' => $method, 'content' => $body, 'ignore_errors' => true, 'timeout' => 90,
        'header' => implode("\r\n", $headers),
    ]]);
    $out = @file_get_contents($url, false, $context);
    $status = 0;
    foreach ($http_response_header ?? [] as $h) {
        if (preg_match('#^HTTP/\S+ (\d{3})#', $h, $m)) {
            $status = (int) $m[1];
        }
    }
    return [$status, (string) $out];
}

/** The lines of a log: [key => [pid, ...]]. */
function handled(string $file): array
{
    $by = [];
    foreach (explode("\n", (string) @file_get_contents($file)) as $line) {
        if (preg_match('/^handled (\S+) .* pid=(\d+)/', $line, $m)) {
            $by[$m[1]][] = (int) $m[2];
        }
    }
    return $by;
}

$ids = [];
group("$calls calls placed on the sandbox, each settled", function () use ($sandbox, $calls, &$ids) {
    $client = new Yunhuni\Client(env('YUNHUNI_APP_ID'), env('YUNHUNI_CERT_ID'), env('YUNHUNI_SECRET_KEY'), ['base_url' => $sandbox, 'timeout' => 30]);
    // Leg 1 unreachable, a call talked and hung up, an engine failure: three shapes of end event.
    $numbers = [['13900000003', '13800000002'], ['13900000004', '13800000003'], ['13900000009', '13800000002']];
    for ($i = 0; $i < $calls; $i++) {
        [$to1, $to2] = $numbers[$i % 3];
        $ids[] = $client->duoCallback($to1, $to2, 60, ['user_data' => "run-$i"])->callId;
    }
    check(count(array_unique($ids)) === $calls, "$calls calls placed");
    foreach ($ids as $id) {
        [$status] = http('GET', "$sandbox/sandbox/calls/$id/wait?timeout_ms=60000");
        check($status === 200, "call $id settled ($status)");
    }
});

// Every distinct event body the sandbox sent, with its attempts' statuses.
[$status, $json] = http('GET', "$sandbox/sandbox/webhooks");
$attempts = json_decode($json, true) ?? [];
$events = [];
foreach ($attempts as $a) {
    if (in_array($a['call_id'], $ids, true)) {
        $events[$a['body_hex']][$a['attempt']] = $a['status'];
    }
}
$keyer = new Receiver(store: null);
$keys = [];
foreach (array_keys($events) as $hex) {
    $keys[$hex] = $keyer->receive('', (string) hex2bin($hex))->key;
}

group('each event handled exactly once, the platform re-sending those that failed first', function () use ($events, $keys, $log, $calls) {
    check(count($events) === $calls, count($events) . " events for $calls calls");
    // A slow handler may still be at work after its event's re-send was answered as a duplicate.
    wait_for(fn () => count(handled($log)) >= count($events) ? true : null, 60);
    usleep(200_000);
    $handled = handled($log);
    $failed = $timedOut = 0;
    foreach ($events as $hex => $byAttempt) {
        ksort($byAttempt);
        $statuses = array_values($byAttempt);
        $key = $keys[$hex];
        check(end($statuses) === 200 && count(array_filter($statuses, fn ($s) => $s === 200)) === 1, "$key: delivered, 200 last and once: " . json_encode($statuses));
        if (count($statuses) > 1) {
            // The first attempt failed (the handler threw: 5xx) or got no answer in time (the
            // handler was slow: the re-send came while it was still handling the event).
            check($statuses[0] === null || $statuses[0] >= 500, "$key: its first attempt was answered " . json_encode($statuses[0]));
            $statuses[0] === null ? $timedOut++ : $failed++;
        }
        check(count($handled[$key] ?? []) === 1, "$key: handled once (" . count($handled[$key] ?? []) . ' times)');
    }
    check(count($handled) === count($events) && array_sum(array_map('count', $handled)) === count($events), 'the log holds these events and nothing else: ' . array_sum(array_map('count', $handled)) . ' lines');
    check($failed > 0, "the platform re-sent $failed events whose handler failed");
    if (getenv('YUNHUNI_RUN_SLOW') === '1') {
        check($timedOut > 0, "the platform re-sent $timedOut events whose handler was slower than it waits, while they were being handled");
    }
    $pids = array_unique(array_merge(...array_values($handled) ?: [[]]));
    echo "# of " . count($events) . " events, $failed re-sent after a failure, $timedOut after a timeout; handled by " . count($pids) . " processes\n";
});

$other = getenv('YUNHUNI_RUN_OTHER_URL');
if (is_string($other) && $other !== '') {
    group('every event POSTed again to a second application sharing the Redis: 200, none handled again', function () use ($events, $keys, $other) {
        $before = handled(env('YUNHUNI_RUN_OTHER_LOG'));
        foreach (array_keys($events) as $hex) {
            [$status, $body] = http('POST', $other, (string) hex2bin($hex), ['Content-Type: application/json;charset=utf-8']);
            check($status === 200, "{$keys[$hex]}: answered 200 ($status $body)");
        }
        $after = handled(env('YUNHUNI_RUN_OTHER_LOG'));
        $again = array_intersect_key($after, array_flip($keys));
        check($again === [] && count($after) === count($before), 'none handled by the second application: ' . json_encode(array_keys($again)));
    });
}

$url = getenv('YUNHUNI_RUN_URL');
if (is_string($url) && $url !== '') {
    group('refused before parsing: no token, a wrong token', function () use ($url, $log) {
        $token = env('YUNHUNI_RUN_TOKEN');
        $before = (string) @file_get_contents($log);
        [$status, $body] = http('POST', $url, 'not json at all', ['Content-Type: application/json']);
        check($status === 401 && str_contains($body, 'token'), "no token: 401 ($status $body)");
        [$status, $body] = http('POST', "$url?token=wrong-$token", 'not json at all', ['Content-Type: application/json']);
        check($status === 403 && str_contains($body, 'token'), "a wrong token: 403, not 400: the body was not parsed ($status $body)");
        [$status, $body] = http('POST', "$url?token=" . rawurlencode($token), 'not json at all', ['Content-Type: application/json']);
        check($status === 400, "the right token and a body that is not an event: 400 ($status $body)");
        check((string) @file_get_contents($log) === $before, 'nothing handled');
    });
    if (getenv('YUNHUNI_RUN_HUGE') === '1') {
        group('a declared 100 MB body is refused before it is sent', function () use ($url) {
            $parts = parse_url($url);
            $socket = stream_socket_client("tcp://{$parts['host']}:{$parts['port']}", $errno, $errstr, 5);
            check($socket !== false, "connected ($errstr)");
            $target = ($parts['path'] ?? '/') . '?token=' . rawurlencode(env('YUNHUNI_RUN_TOKEN'));
            $head = "POST $target HTTP/1.1\r\nHost: {$parts['host']}\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n";
            fwrite($socket, $head . '{"event":"duo_callback.end","id":"' . str_repeat('x', 65536) . '"');
            // The answer comes while 100 MB minus 64 KiB are still unsent (and never will be).
            stream_set_timeout($socket, 60);
            $answer = (string) stream_get_contents($socket, 4096);
            fclose($socket);
            check(preg_match('#^HTTP/1\.[01] 413 #', $answer) === 1, 'answered 413 after 64 KiB of 100 MB: ' . strtok($answer, "\r"));
            check(str_contains($answer, '104857600'), 'saying how large it was declared');
        });
    }
}

finish('webhook_run_test');
