<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * Names the C library to load (and, optionally, the header that declares it), in place of the
 * search of the library's own (the environment variable YUNHUNI_LIB, a checkout's build, the
 * installed libyunhuni.so.0). Call it before the first use of the library, for example in a
 * bootstrap file where the environment cannot be set (PHP-FPM clears it by default):
 *
 *     Yunhuni\use_library('/opt/yunhuni/lib/libyunhuni.so.0');
 *
 * @param string $library a path to libyunhuni.so (or .so.0, .so.0.1.0), or a file name for the
 *                        system's loader
 * @param string|null $header a path to yunhuni.h of the same version; by default the one the
 *                            library would use otherwise, or include/yunhuni.h next to lib/
 * @throws \InvalidArgumentException when the path is not a file
 * @throws \LogicException when another library is already loaded
 */
function use_library(string $library, ?string $header = null): void
{
    Ffi::configure($library, $header);
}

/**
 * Parses a webhook body exactly as received (for example `file_get_contents('php://input')`).
 *
 * @throws Exception kind `decode` when the body is not an event
 */
function parse_event(string $rawBody): Event
{
    $ffi = Ffi::get();
    $event = Ffi::out('yh_event*');
    $err = Ffi::out('yh_error*');
    Ffi::check($ffi->yh_event_parse(Ffi::bytes($rawBody), strlen($rawBody), \FFI::addr($event), \FFI::addr($err)), $err);
    try {
        $len = Ffi::out('size_t');
        $json = $ffi->yh_event_json($event, \FFI::addr($len));
        $rawLen = Ffi::out('size_t');
        $raw = $ffi->yh_event_raw_json($event, \FFI::addr($rawLen));
        return new Event(
            (string) $ffi->yh_event_name($event),
            $ffi->yh_event_id($event),
            (string) $raw,
            json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR),
        );
    } finally {
        $ffi->yh_event_free($event);
    }
}

/**
 * The canonical string the platform signs: method, content MD5, content type, timestamp
 * (yyyyMMddHHmmss, UTC+8), AppID and path, joined by "\n".
 */
function string_to_sign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body): string
{
    $ffi = Ffi::get();
    $out = Ffi::out('char*');
    $err = Ffi::out('yh_error*');
    Ffi::check($ffi->yh_string_to_sign(
        Ffi::str($method, 'method'),
        Ffi::str($uri, 'uri'),
        Ffi::str($contentType, 'content_type'),
        Ffi::str($timestamp, 'timestamp'),
        Ffi::str($appId, 'app_id'),
        Ffi::bytes($body),
        strlen($body),
        \FFI::addr($out),
        \FFI::addr($err),
    ), $err);
    try {
        return \FFI::string($out);
    } finally {
        $ffi->yh_string_free($out);
    }
}

/** The `Signature` header for a request: Base64 of HMAC-SHA256 of string_to_sign(). */
function sign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body, string $secretKey): string
{
    $ffi = Ffi::get();
    $out = Ffi::out('char*');
    $err = Ffi::out('yh_error*');
    Ffi::check($ffi->yh_sign(
        Ffi::str($method, 'method'),
        Ffi::str($uri, 'uri'),
        Ffi::str($contentType, 'content_type'),
        Ffi::str($timestamp, 'timestamp'),
        Ffi::str($appId, 'app_id'),
        Ffi::bytes($body),
        strlen($body),
        Ffi::str($secretKey, 'secret_key'),
        \FFI::addr($out),
        \FFI::addr($err),
    ), $err);
    try {
        return \FFI::string($out);
    } finally {
        $ffi->yh_string_free($out);
    }
}

/** The version of the SDK. */
function version(): string
{
    return (string) Ffi::get()->yh_version();
}

/**
 * One of the platform's return codes: `['code' => '020000', 'name' => 'CallNotExists',
 * 'zh' => '呼叫不存在' (the server's msg), 'en' => ...]`, or null for a code it does not define.
 *
 * @return array{code: string, name: string, zh: string, en: string}|null
 */
function code_info(string $code): ?array
{
    $ffi = Ffi::get();
    $name = Ffi::out('const char*');
    $zh = Ffi::out('const char*');
    $en = Ffi::out('const char*');
    $result = $ffi->yh_code_info(Ffi::str($code, 'code'), \FFI::addr($name), \FFI::addr($zh), \FFI::addr($en));
    if ($result !== 0) {
        return null;
    }
    return ['code' => $code, 'name' => \FFI::string($name), 'zh' => \FFI::string($zh), 'en' => \FFI::string($en)];
}
