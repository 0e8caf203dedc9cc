<?php

/**
 * Loads the yunhuni PHP library without Composer: Yunhuni\Client, Yunhuni\Exception,
 * Yunhuni\parse_event() and friends, and the drop-in SapiSdk class of the platform's demo.
 *
 *     require_once '/path/to/yunhuni/php/yunhuni.php';
 *
 * With Composer (`composer require yunhuni/yunhuni`), `require 'vendor/autoload.php'` loads the
 * same classes and functions instead. Needs PHP 8.1+ and libyunhuni, reached through the PHP
 * extension yunhuni (php/ext) when it is loaded, else through PHP's FFI (Debian's php-cli has it;
 * run scripts with `php -d ffi.enable=1` where FFI is restricted to preloading); see README.md.
 */

declare(strict_types=1);

require_once __DIR__ . '/src/Ffi.php';
require_once __DIR__ . '/src/FfiClient.php';
require_once __DIR__ . '/src/Native.php';
require_once __DIR__ . '/src/Exception.php';
require_once __DIR__ . '/src/Convert.php';
require_once __DIR__ . '/src/CallCreated.php';
require_once __DIR__ . '/src/Event.php';
require_once __DIR__ . '/src/Operations.php';
require_once __DIR__ . '/src/Client.php';
require_once __DIR__ . '/src/functions.php';
require_once __DIR__ . '/src/Ivr/Response.php';
require_once __DIR__ . '/src/SapiSdk.php';
