<?php

/**
 * Loads the yunhuni PHP library without Composer: Yunhuni\Client, Yunhuni\Exception,
 * Yunhuni\parse_event() and friends, the webhook receiver (Yunhuni\Webhook\*) and the drop-in
 * SapiSdk class of the platform's demo.
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
require_once __DIR__ . '/src/Webhook/Store.php';
require_once __DIR__ . '/src/Webhook/LeaseStore.php';
require_once __DIR__ . '/src/Webhook/MemoryStore.php';
require_once __DIR__ . '/src/Webhook/RedisStore.php';
require_once __DIR__ . '/src/Webhook/Delivery.php';
require_once __DIR__ . '/src/Webhook/FfiReceiver.php';
require_once __DIR__ . '/src/Webhook/Receiver.php';
require_once __DIR__ . '/src/Webhook/Exchange.php';
require_once __DIR__ . '/src/Webhook/functions.php';
// The PSR-15 helpers need the PSR-7/15/17 interfaces (Composer's psr/* packages): loaded when used.
spl_autoload_register(static function (string $class): void {
    $prefix = 'Yunhuni\\Webhook\\Psr15\\';
    if (str_starts_with($class, $prefix) && preg_match('/^\w+$/', $name = substr($class, strlen($prefix))) === 1
        && is_file($file = __DIR__ . "/src/Webhook/Psr15/$name.php")) {
        require $file;
    }
});
