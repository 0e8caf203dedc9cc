<?php
// examples/php/ivr.php against the sandbox's IVR engine: a scripted caller per branch of the menu
// (1 then 1, 1 then 2, 2 and the support line, no key at all) calls the app (a simulated inbound
// call), and the test reads what the sandbox asked the app and what it answered
// (GET /sandbox/calls/{id}/ivr), the app's own log lines and the call's end (ivr.call_end).
// The app is served by whatever the caller set up (PHP's built-in server, or PHP-FPM); its
// sandbox POSTs ivr_start and the ivr.* events to it.
//
//   YUNHUNI_IVR_SANDBOX=http://127.0.0.1:PORT YUNHUNI_IVR_LOG=/path/to/ivr.log php ivr_menu_test.php

declare(strict_types=1);

require_once dirname(__DIR__, 3) . '/php/tests/lib.php';

$sandbox = env('YUNHUNI_IVR_SANDBOX');
$log = env('YUNHUNI_IVR_LOG');

function http(string $method, string $url, ?array $body = null): array
{
    $context = stream_context_create(['http' => [
        'method' => $method,
        'header' => "Content-Type: application/json\r\n",
        'content' => $body === null ? '' : json_encode($body),
        'ignore_errors' => true,
        'timeout' => 60,
    ]]);
    $text = @file_get_contents($url, false, $context);
    return json_decode((string) $text, true) ?? ['raw' => $text];
}

/** Calls the app from `$from` pressing `$keys` at its <get>s; returns the call's IVR exchanges. */
function call_app(string $sandbox, string $from, array $keys): array
{
    http('PUT', "$sandbox/sandbox/numbers/$from", ['answer' => 'after', 'ms' => 100, 'keys' => $keys, 'key_interval_ms' => 200]);
    $call = http('POST', "$sandbox/sandbox/inbound_call", ['from' => $from, 'to' => '95000001']);
    $id = $call['call_id'] ?? null;
    if (!is_string($id)) {
        return ['id' => null, 'replies' => [], 'state' => json_encode($call)];
    }
    $state = wait_for(function () use ($sandbox, $id) {
        $c = http('GET', "$sandbox/sandbox/calls/$id");
        return ($c['state'] ?? null) === 'closed' ? $c : null;
    }, 60);
    $exchanges = http('GET', "$sandbox/sandbox/calls/$id/ivr");
    $list = $exchanges['requests'] ?? $exchanges;
    $replies = [];
    foreach (is_array($list) ? $list : [] as $x) {
        if (is_array($x) && isset($x['reply'])) {
            $replies[] = (string) $x['reply'];
        }
    }
    return ['id' => $id, 'replies' => $replies, 'state' => $state['state'] ?? 'not closed'];
}

/** The files the app's replies played, in order, and the numbers they dialled. */
function played(array $replies): array
{
    $out = [];
    foreach ($replies as $xml) {
        preg_match_all('#<(play|number)>([^<]*)</\1>#', $xml, $m);
        foreach ($m[2] as $v) {
            $out[] = $v;
        }
    }
    return $out;
}

// The support line answers and hangs up after 2 seconds.
http('PUT', "$sandbox/sandbox/numbers/13900000000", ['answer' => 'after', 'ms' => 100, 'hangup_after_ms' => 2000]);

$branches = [
    'sales, new orders (1, 1)' => ['13800000021', ['1', '1'], ['main-menu.wav', 'sales-menu.wav', 'new-orders.wav']],
    'sales, existing orders (1, 2)' => ['13800000022', ['1', '2'], ['main-menu.wav', 'sales-menu.wav', 'existing-orders.wav']],
    'support (2): the support line dialled' => ['13800000023', ['2'], ['main-menu.wav', '13900000000', 'goodbye.wav']],
    'no key: goodbye' => ['13800000024', [], ['main-menu.wav', 'goodbye.wav']],
];
foreach ($branches as $name => [$from, $keys, $want]) {
    group("ivr.php: $name", function () use ($sandbox, $log, $from, $keys, $want) {
        $call = call_app($sandbox, $from, $keys);
        check($call['id'] !== null && $call['state'] === 'closed', "the call ran to its end: {$call['state']}");
        $got = played($call['replies']);
        check($got === $want, 'the app answered ' . json_encode($got) . ', want ' . json_encode($want));
        foreach ($call['replies'] as $xml) {
            check(str_starts_with($xml, '<?xml version="1.0" encoding="UTF-8"?><response>'), "a document as the platform reads it: $xml");
        }
        $lines = wait_for(function () use ($log, $call) {
            $lines = array_values(array_filter(explode("\n", (string) @file_get_contents($log)), fn ($l) => str_contains($l, (string) $call['id'])));
            foreach ($lines as $l) {
                if (str_starts_with($l, 'event ivr.call_end')) {
                    return $lines;
                }
            }
            return null;
        }, 30) ?? [];
        check($lines !== [] && str_starts_with($lines[0], "start call_id={$call['id']} from=$from kind=ivr_incoming"),
            'the app read ivr_start: ' . ($lines[0] ?? 'nothing logged'));
        $keyLines = array_values(array_filter($lines, fn ($l) => str_contains($l, 'action=get')));
        check(count($keyLines) === max(1, count($keys)), 'the app read each <get> result: ' . json_encode($keyLines));
        check(in_array("event ivr.call_end id={$call['id']}", $lines, true), 'the call\'s ivr.call_end reached the app');
    });
}

finish('ivr_menu_test');
