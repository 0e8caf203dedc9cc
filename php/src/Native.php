<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * The C library, reached one of two ways with the same arguments and results: the extension
 * yunhuni (php/ext, its functions in namespace Yunhuni\Ext) when it is loaded, else PHP's FFI
 * (Ffi). Everything the PHP library asks of libyunhuni goes through here, so Yunhuni\Client,
 * Yunhuni\Exception and Yunhuni\parse_event() behave the same on both.
 *
 * Both backends throw Yunhuni\Exception for the library's errors and for a string holding a NUL
 * byte (a validation error naming the argument).
 *
 * @internal Used by the classes of this library; not part of its API.
 */
final class Native
{
    private static ?bool $extension = null;

    /** True when the extension yunhuni is loaded (and so used). */
    public static function extension(): bool
    {
        return self::$extension ??= \extension_loaded('yunhuni');
    }

    /**
     * A client handle: `$credentials` [app_id, cert_id, secret_key] or null for the environment
     * (YUNHUNI_APP_ID, ...); `$settings` by name (base_url, account_id, user_agent: string;
     * proxy: string or false; timeout, connect_timeout: milliseconds; connect_retries, max_idle_connections: int);
     * `$log` called with each request's log entry.
     *
     * @param array{0: string, 1: string, 2: string}|null $credentials
     * @param array<string, string|int|false> $settings
     * @param (\Closure(array<string, mixed>): void)|null $log
     */
    public static function clientNew(?array $credentials, array $settings, ?\Closure $log): object
    {
        return self::extension() ? Ext\client_new($credentials, $settings, $log) : Ffi::clientNew($credentials, $settings, $log);
    }

    /**
     * `cached`: true for a client the extension keeps for the life of the process and hands to
     * every later clientNew() with the same credentials and settings and no log callable (so a
     * PHP-FPM worker reuses its connections from one PHP request to the next); FFI keeps none.
     *
     * @return array{app_id: string, cert_id: string, account_id: string, api_root: string, cached: bool}
     */
    public static function clientInfo(object $client): array
    {
        return self::extension() ? Ext\client_info($client) : Ffi::clientInfo($client);
    }

    /**
     * Sends an operation by name: `$fields` of string, int or bool values, those named in
     * `$jsonFields` holding JSON text.
     *
     * @param array<string|int, string|int|bool> $fields
     * @param array<string|int, true> $jsonFields
     * @return array{0: string, 1: ?string} the answer's data as JSON text, and the call id
     */
    public static function request(object $client, string $operation, array $fields, array $jsonFields, ?int $timeoutMs): array
    {
        return self::extension()
            ? Ext\request($client, $operation, $fields, $jsonFields, $timeoutMs)
            : Ffi::request($client, $operation, $fields, $jsonFields, $timeoutMs);
    }

    /** @return array{0: string, 1: ?string, 2: string, 3: string} name, id, raw body, canonical view (JSON) */
    public static function parseEvent(string $body): array
    {
        return self::extension() ? Ext\parse_event($body) : Ffi::parseEvent($body);
    }

    public static function stringToSign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body): string
    {
        return self::extension()
            ? Ext\string_to_sign($method, $uri, $contentType, $timestamp, $appId, $body)
            : Ffi::sign($method, $uri, $contentType, $timestamp, $appId, $body, null);
    }

    public static function sign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body, string $secretKey): string
    {
        return self::extension()
            ? Ext\sign($method, $uri, $contentType, $timestamp, $appId, $body, $secretKey)
            : Ffi::sign($method, $uri, $contentType, $timestamp, $appId, $body, $secretKey);
    }

    /** An IVR document's XML from its description as JSON text (snake_case names). */
    public static function ivrXml(string $description): string
    {
        return self::extension() ? Ext\ivr_xml($description) : Ffi::ivrXml($description);
    }

    /** The canonical view (JSON text) of the query of a request to a <next> URL. */
    public static function ivrNext(string $query): string
    {
        return self::extension() ? Ext\ivr_next($query) : Ffi::ivrNext($query);
    }

    /**
     * A webhook receiver handle (yh_webhook_receiver): `$token` or null for none, `$tokenParam`
     * or null for `token`, `$maxBody` bytes or null for core's default (1 MiB), the in-process
     * store when `$memory` (with `$capacity` entries and `$ttlMs`, null for core's defaults)
     * else none. Values below 1 are refused here, since the C API reads 0 as "the default".
     */
    public static function webhookNew(?string $token, ?string $tokenParam, ?int $maxBody, bool $memory, ?int $capacity, ?int $ttlMs): object
    {
        foreach (['max_body' => $maxBody, 'capacity' => $capacity, 'ttl_ms' => $ttlMs] as $field => $value) {
            if ($value !== null && $value < 1) {
                throw new Exception('validation', "$field: is $value; it must be 1 or more", null, 0, $field, 1);
            }
        }
        return self::extension()
            ? Ext\webhook_receiver_new($token, $tokenParam, $maxBody ?? 0, $memory, $capacity ?? 0, $ttlMs ?? 0)
            : Ffi::webhookNew($token, $tokenParam, $maxBody ?? 0, $memory, $capacity ?? 0, $ttlMs ?? 0);
    }

    /** The token and the declared length (null: none), before the body is read. */
    public static function webhookCheckHead(object $receiver, string $query, ?int $contentLength): void
    {
        self::extension()
            ? Ext\webhook_check_head($receiver, $query, $contentLength ?? -1)
            : Ffi::webhookCheckHead($receiver, $query, $contentLength ?? -1);
    }

    /**
     * @return array{0: string, 1: bool, 2: int, 3: string, 4: string, 5: ?string, 6: string, 7: string}
     *         key, duplicate, status and body to answer, then the event: name, id, raw body,
     *         canonical view (JSON)
     */
    public static function webhookReceive(object $receiver, string $query, string $body): array
    {
        return self::extension()
            ? Ext\webhook_receive($receiver, $query, $body)
            : Ffi::webhookReceive($receiver, $query, $body);
    }

    public static function webhookRelease(object $receiver, string $key): void
    {
        self::extension() ? Ext\webhook_release($receiver, $key) : Ffi::webhookRelease($receiver, $key);
    }

    /** @return array<string, string|int> core's constants for the stores of every language (and the lease protocol) */
    public static function webhookDefaults(): array
    {
        return self::extension() ? Ext\webhook_defaults() : Ffi::webhookDefaults();
    }

    public static function version(): string
    {
        return self::extension() ? Ext\version() : (string) Ffi::get()->yh_version();
    }

    /** @return array{code: string, name: string, zh: string, en: string}|null */
    public static function codeInfo(string $code): ?array
    {
        return self::extension() ? Ext\code_info($code) : Ffi::codeInfo($code);
    }
}
