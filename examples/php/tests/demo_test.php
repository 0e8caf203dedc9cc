<?php
// The platform's demo flow (demo.php, unchanged but for its include line and credentials) run
// against the sandbox, then the same demo with a wrong secret, and the end event of the demo's
// call arriving at the webhook receiver.
//
//   YUNHUNI_BASE_URL=... YUNHUNI_WEBHOOK_LOG=... php -d ffi.enable=1 demo_test.php

declare(strict_types=1);

require_once dirname(__DIR__, 3) . '/php/tests/lib.php';

$demo = dirname(__DIR__) . '/demo.php';
$php = PHP_BINARY . ' -d ffi.enable=1';
$apiUrl = env('YUNHUNI_BASE_URL') . '/v1/account/' . env('YUNHUNI_CERT_ID') . '/';

group("the seed's demo flow against the sandbox", function () use ($demo, $php, $apiUrl) {
    $out = shell_exec('YUNHUNI_BASE_URL=' . escapeshellarg($apiUrl) . " $php " . escapeshellarg($demo) . ' 2>&1');
    check(trim((string) $out) === 'callback success!<br>', "demo.php prints success: $out");
    // The demo's call is the one with the demo's user data; the platform sends it as ISO-8859-1.
    $line = wait_for(fn () => log_lines('user_data="????"')[0] ?? null, 60);
    check($line !== null && str_contains($line, 'event duo_callback.end'), "the demo call's end event was logged: $line");
});

group('the demo reports a failure', function () use ($demo, $php, $apiUrl) {
    // The same demo, with its secret key changed: the platform refuses the signature.
    $source = str_replace('$secreKey = "5d8f2a7c9e1b4d6fa3c0e8b7d9000001";', '$secreKey = "wrong";', (string) file_get_contents($demo));
    $source = str_replace('__DIR__ . "/SapiSdk.php"', var_export(dirname(__DIR__) . '/SapiSdk.php', true), $source);
    check(str_contains($source, '"wrong"'), 'demo edited');
    $copy = sys_get_temp_dir() . "/yunhuni-demo-" . getmypid() . ".php";
    file_put_contents($copy, $source);
    $out = shell_exec('YUNHUNI_BASE_URL=' . escapeshellarg($apiUrl) . " $php " . escapeshellarg($copy) . ' 2>&1');
    unlink($copy);
    check(trim((string) $out) === 'callback fail!<br>', "demo.php prints fail: $out");
});

finish('demo_test');
