<?php
// Served by php-fpm in bench/php/fpm_bench.py: one voice callback per request, placed the way a
// web application does it per request: ?with=sdk through Yunhuni\Client (on the extension), or
// ?with=curl the vendor SDK's way (a new curl handle, md5/hash_hmac signing). Answers the call id.
// The extension hands each request's new Yunhuni\Client the worker's cached client (same
// credentials and settings), so its connection is kept from one request to the next.

declare(strict_types=1);

require_once dirname(__DIR__, 2) . '/php/yunhuni.php';
require_once dirname(__DIR__) . '/baselines/php_curl.php';

$baseUrl = (string) getenv('YUNHUNI_BASE_URL');
[$appId, $certId, $secretKey] = ['b0a5d1e5a2c64f0e9a7e3c1d5f000001', 'c3e7a9f1d2b44e8c8a6b1f0e2d000001', '5d8f2a7c9e1b4d6fa3c0e8b7d9000001'];
if (($_GET['with'] ?? '') === 'sdk') {
    if (Yunhuni\backend() !== 'extension') {
        http_response_code(500);
        echo "not on the extension\n";
        return;
    }
    $client = new Yunhuni\Client($appId, $certId, $secretKey, ['base_url' => $baseUrl]);
    echo $client->duoCallback('13800000001', '13800000002', 60)->callId;
} else {
    echo (new CurlBaselineClient($appId, $certId, $secretKey, $baseUrl))->duoCallback('13800000001', '13800000002', 60);
}
