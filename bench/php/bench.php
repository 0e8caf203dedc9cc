<?php
// PHP: Yunhuni\Client (the package in php/, over libyunhuni) against the curl baselines (a new
// handle per request, and one reused handle), all sending the same duo_callback to the same
// server, one request after the other. The runs are interleaved, one repetition each in turn,
// after a warm-up of each. Prints JSON rows with stable keys.
//
//   php -d ffi.enable=1 bench/php/bench.php BASE_URL N REPS
//       the client on PHP's FFI against curl: two rows
//   php -d ffi.enable=1 -d extension=/path/to/yunhuni.so bench/php/bench.php BASE_URL N REPS ext
//       the client on the extension against curl, and against the same requests through the
//       library's FFI backend (Yunhuni\Ffi, what the client runs on without the extension): three rows

declare(strict_types=1);

require_once dirname(__DIR__, 2) . '/php/yunhuni.php';
require_once dirname(__DIR__) . '/baselines/php_curl.php';

[$baseUrl, $n, $reps, $mode] = [$argv[1] ?? '', (int) ($argv[2] ?? 0), (int) ($argv[3] ?? 0), $argv[4] ?? 'ffi'];
if ($baseUrl === '' || $n < 1 || $reps < 1 || !in_array($mode, ['ffi', 'ext'], true)) {
    fwrite(STDERR, "usage: php -d ffi.enable=1 [-d extension=yunhuni.so] bench.php BASE_URL N REPS [ffi|ext]\n");
    exit(2);
}
if (Yunhuni\backend() !== ($mode === 'ext' ? 'extension' : 'ffi')) {
    fwrite(STDERR, "bench.php $mode: the library runs on " . Yunhuni\backend() . "\n");
    exit(2);
}
$appId = getenv('YUNHUNI_APP_ID') ?: 'b0a5d1e5a2c64f0e9a7e3c1d5f000001';
$certId = getenv('YUNHUNI_CERT_ID') ?: 'c3e7a9f1d2b44e8c8a6b1f0e2d000001';
$secretKey = getenv('YUNHUNI_SECRET_KEY') ?: '5d8f2a7c9e1b4d6fa3c0e8b7d9000001';

$ours = new Yunhuni\Client($appId, $certId, $secretKey, ['base_url' => $baseUrl]);
$baseline = new CurlBaselineClient($appId, $certId, $secretKey, $baseUrl);
$reused = new CurlBaselineClient($appId, $certId, $secretKey, $baseUrl, true);

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
    'reused' => function () use ($reused, $n): void {
        for ($i = 0; $i < $n; $i++) {
            if (strlen($reused->duoCallback('13800000001', '13800000002', 60)) !== 32) {
                throw new RuntimeException('unexpected call id');
            }
        }
    },
];
if ($mode === 'ext') {
    // The same requests through the FFI backend, as Yunhuni\Client makes them without the extension.
    $ffiClient = Yunhuni\Ffi::clientNew([$appId, $certId, $secretKey], ['base_url' => $baseUrl], null);
    $runs['ffi'] = function () use ($ffiClient, $n): void {
        $fields = ['to1' => '13800000001', 'to2' => '13800000002', 'max_call_duration' => 60];
        for ($i = 0; $i < $n; $i++) {
            [$json, $callId] = Yunhuni\Ffi::request($ffiClient, 'duo_callback', $fields, [], null);
            json_decode($json, true, 512, JSON_THROW_ON_ERROR);
            if (strlen((string) $callId) !== 32) {
                throw new RuntimeException('unexpected call id');
            }
        }
    };
}

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

$samples = array_fill_keys(array_keys($runs), []);
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
$note = "$n requests per sample, sequential; PHP " . PHP_VERSION . ', curl ' . curl_version()['version'];
$row = fn (string $key, string $name, float $baseline, float $spread, float $target) => json_encode([
    'name' => $name,
    'key' => $key,
    'ours' => $o,
    'baseline' => $baseline,
    'unit' => 'requests/s',
    'target' => $target,
    'ours_spread' => $oSpread,
    'baseline_spread' => $spread,
    'samples' => $reps,
    'note' => $note,
], JSON_UNESCAPED_SLASHES);
[$u, $uSpread] = stats($samples['reused']);
if ($mode === 'ffi') {
    echo $row('php_vs_curl_reused', 'PHP Yunhuni\\Client (FFI) vs curl with one reused handle', $u, $uSpread, 1), "\n";
    echo $row('php_vs_curl_new_handle', "PHP Yunhuni\\Client (FFI) vs curl with a new handle per request (the vendor SDK's way)", $b, $bSpread, 2), "\n";
} else {
    [$f, $fSpread] = stats($samples['ffi']);
    echo $row('php_ext_vs_curl_reused', 'PHP Yunhuni\\Client on the extension vs curl with one reused handle', $u, $uSpread, 1), "\n";
    echo $row('php_ext_vs_curl_new_handle', "PHP Yunhuni\\Client on the extension vs curl with a new handle per request (the vendor SDK's way)", $b, $bSpread, 3), "\n";
    echo $row('php_ext_vs_ffi', 'PHP Yunhuni\\Client on the extension vs the same requests through its FFI backend', $f, $fSpread, 1), "\n";
}
