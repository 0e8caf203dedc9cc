<?php

/**
 * Loads the yunhuni PHP library: Yunhuni\Client, Yunhuni\Exception, Yunhuni\parse_event() and
 * friends, and the drop-in SapiSdk class of the platform's demo.
 *
 *     require_once '/path/to/examples/php/yunhuni.php';
 *
 * Needs PHP 8.1+ with FFI (Debian's php-cli has it; run scripts with `php -d ffi.enable=1` where
 * FFI is restricted to preloading) and libyunhuni.so (see README.md).
 */

declare(strict_types=1);

require_once __DIR__ . '/src/Ffi.php';
require_once __DIR__ . '/src/Exception.php';
require_once __DIR__ . '/src/Convert.php';
require_once __DIR__ . '/src/CallCreated.php';
require_once __DIR__ . '/src/Event.php';
require_once __DIR__ . '/src/Operations.php';
require_once __DIR__ . '/src/Client.php';
require_once __DIR__ . '/src/functions.php';
require_once __DIR__ . '/src/SapiSdk.php';
