<?php
// Served by PHP-FPM in scripts/test-php: says how the library reaches libyunhuni there, under
// the SAPI's default settings (ffi.enable=preload: PHP's FFI refused to ordinary scripts).

declare(strict_types=1);

require_once dirname(__DIR__) . '/yunhuni.php';

header('Content-Type: application/json');
echo json_encode([
    'sapi' => PHP_SAPI,
    'ffi.enable' => ini_get('ffi.enable'),
    'backend' => Yunhuni\backend(),
    'version' => Yunhuni\version(),
    'pid' => getmypid(),
]), "\n";
