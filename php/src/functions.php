<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * Names the C library PHP's FFI loads (and, optionally, the header that declares it), in place
 * of the search of the library's own (the environment variable YUNHUNI_LIB, a checkout's build, the
 * installed libyunhuni.so.0). Call it before the first use of the library, for example in a
 * bootstrap file where the environment cannot be set (PHP-FPM clears it by default):
 *
 *     Yunhuni\use_library('/opt/yunhuni/lib/libyunhuni.so.0');
 *
 * @param string $library a path to libyunhuni.so (or .so.0, .so.0.1.0), or a file name for the
 *                        system's loader
 * @param string|null $header a path to yunhuni.h of the same version; by default the one the
 *                            library would use otherwise, or include/yunhuni.h next to lib/
 * Where the extension yunhuni is loaded, it is what the library uses, and this has no effect.
 *
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
    [$name, $id, $raw, $json] = Native::parseEvent($rawBody);
    return new Event($name, $id, $raw, json_decode($json, true, 512, JSON_THROW_ON_ERROR));
}

/**
 * The canonical string the platform signs: method, content MD5, content type, timestamp
 * (yyyyMMddHHmmss, UTC+8), AppID and path, joined by "\n".
 */
function string_to_sign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body): string
{
    return Native::stringToSign($method, $uri, $contentType, $timestamp, $appId, $body);
}

/** The `Signature` header for a request: Base64 of HMAC-SHA256 of string_to_sign(). */
function sign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body, string $secretKey): string
{
    return Native::sign($method, $uri, $contentType, $timestamp, $appId, $body, $secretKey);
}

/** The version of the SDK. */
function version(): string
{
    return Native::version();
}

/**
 * How this library reaches libyunhuni: 'extension' when the PHP extension yunhuni is loaded
 * (`extension=yunhuni.so` in php.ini; works under PHP-FPM and Apache with PHP's default
 * settings), else 'ffi' (PHP's FFI, which PHP by default allows on the command line and in
 * preloaded scripts only).
 */
function backend(): string
{
    return Native::extension() ? 'extension' : 'ffi';
}

/**
 * One of the platform's return codes: `['code' => '020000', 'name' => 'CallNotExists',
 * 'zh' => '呼叫不存在' (the server's msg), 'en' => ...]`, or null for a code it does not define.
 *
 * @return array{code: string, name: string, zh: string, en: string}|null
 */
function code_info(string $code): ?array
{
    return Native::codeInfo($code);
}

/**
 * Parses the query of the request the platform sends to a `<next>` URL of an IVR document (the
 * query alone, or the request target or URL it ends; `$_SERVER['QUERY_STRING']` for example):
 * the results of the action that just ran. Returns the canonical view shared by every language
 * of the SDK: `['type' => 'ivr_next', 'call_id' => ..., 'action' => ..., 'keys' => ...,
 * 'record_id' => ..., 'error' => ..., 'params' => [[name, value], ...]]` (the URL's own
 * parameters in order), absent values null. The `ivr_start` the platform POSTs first is an
 * event: parse_event() reads it (name and type `ivr_start`).
 *
 * @return array<string, mixed>
 * @throws Exception kind `decode` naming the key for a query the platform would not send
 */
function parse_ivr_next(string $query): array
{
    return json_decode(Native::ivrNext($query), true, 512, JSON_THROW_ON_ERROR);
}
