<?php
// PHP: Yunhuni\Client (the package in php/, over FFI and libyunhuni) against the curl baseline, both
// sending the same duo_callback to the same sandbox, one request after the other. The two are
// interleaved, one repetition each in turn, after a warm-up of each. Prints one JSON row.
//
//   php -d ffi.enable=1 bench/php/bench.php BASE_URL N REPS

declare(strict_types=1);

require_once dirname(__DIR__, 2) . '/php/yunhuni.php';
require_once dirname(__DIR__) . '/baselines/php_curl.php';

[$baseUrl, $n, $reps] = [$argv[1] ?? '', (int) ($argv[2] ?? 0), (int) ($argv[3] ?? 0)];
if ($baseUrl === '' || $n < 1 || $reps < 1) {
    fwrite(STDERR, "usage: php -d ffi.enable=1 bench.php BASE_URL N REPS\n");
    exit(2);
}
$appId = getenv('YUNHUNI_APP_ID') ?: 'b0a5d1e5a2c64f0e9a7e3c1d5f000001';
$certId = getenv('YUNHUNI_CERT_ID') ?: 'c3e7a9f1d2b44e8c8a6b1f0e2d000001';
$secretKey = getenv('YUNHUNI_SECRET_KEY') ?: '5d8f2a7c9e1b4d6fa3c0e8b7d9000001';

$ours = new Yunhuni\Client($appId, $certId, $secretKey, ['base_url' => $baseUrl]);
$baseline = new CurlBaselineClient($appId, $certId, $secretKey, $baseUrl);

$runs = [
    'ours' => function () use ($ours, $n): void {
        for ($i = 0; $i < $n; $i++) {
            if (strlen($ours->duoCallback('13800000001', '13800000002', 60)->callId) !== 32) {
                throw new RuntimeException('unexpected call id');
            }
        }
    },
    'baseline' => function () use ($baseline, $n): void {
        for ($i = 0; $i < $n; $i++) {
            if (strlen($baseline->duoCallback('13800000001', '13800000002', 60)) !== 32) {
                throw new RuntimeException('unexpected call id');
            }
        }
    },
];

/** Requests per second of one run. */
function rate(callable $run, int $n): float
{
    $start = hrtime(true);
    $run();
    return $n / ((hrtime(true) - $start) / 1e9);
}

/** [median, (max - min) / median] */
function stats(array $samples): array
{
    sort($samples);
    $count = count($samples);
    $median = $count % 2 ? $samples[intdiv($count, 2)] : ($samples[$count / 2 - 1] + $samples[$count / 2]) / 2;
    return [$median, $median > 0 ? ($samples[$count - 1] - $samples[0]) / $median : 0.0];
}

$samples = ['ours' => [], 'baseline' => []];
foreach ($runs as $run) {
    $run(); // warm-up
}
for ($r = 0; $r < $reps; $r++) {
    foreach ($runs as $which => $run) {
        $samples[$which][] = rate($run, $n);
    }
}
[$o, $oSpread] = stats($samples['ours']);
[$b, $bSpread] = stats($samples['baseline']);
echo json_encode([
    'name' => 'PHP Yunhuni\\Client (FFI) vs curl with a new handle per request',
    'ours' => $o,
    'baseline' => $b,
    'unit' => 'requests/s',
    'target' => 2,
    'ours_spread' => $oSpread,
    'baseline_spread' => $bSpread,
    'samples' => $reps,
    'note' => "$n requests per sample, sequential; PHP " . PHP_VERSION . ', curl ' . curl_version()['version'],
], JSON_UNESCAPED_SLASHES), "\n";
