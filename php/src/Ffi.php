<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * Loads libyunhuni through PHP's FFI and turns its results into PHP values and exceptions.
 *
 * The C library is, in this order:
 *
 * 1. the one configured: the path given to Yunhuni\use_library(), else the environment variable
 *    YUNHUNI_LIB (a path, or a file name for the system's loader); nothing else is tried then;
 * 2. in a checkout of the repository, its build: target/release/libyunhuni.so, then target/debug;
 * 3. the installed library, by its SONAME (libyunhuni.so.0 for 0.x): the system's loader finds it
 *    in its cache (ldconfig), the standard folders or LD_LIBRARY_PATH, so a runtime-only install,
 *    without the libyunhuni.so development link, is enough; then libyunhuni.so.
 *
 * The declarations are read from the header given to use_library(), else YUNHUNI_HEADER, else
 * the package's own include/yunhuni.h (in the packages scripts/dist builds), this checkout's
 * include/yunhuni.h, the include/ folder next to a configured library's lib/ folder,
 * /usr/local/include or /usr/include. The library must have the header's major and minor version.
 *
 * The static methods clientNew() to codeInfo() are the FFI side of Native (the extension's
 * functions are the other): the same arguments, results and exceptions.
 *
 * @internal Used by the classes of this library; not part of its API.
 */
final class Ffi
{
    private static ?\FFI $ffi = null;
    /** What the library was loaded from: a path, or the file name the loader resolved. */
    private static ?string $loaded = null;
    /** Set by Yunhuni\use_library(). */
    private static ?string $library = null;
    private static ?string $libraryHeader = null;

    public static function get(): \FFI
    {
        if (self::$ffi === null) {
            self::load();
        }
        return self::$ffi;
    }

    /** Chooses the library (and its header) for the first use: Yunhuni\use_library(). */
    public static function configure(string $library, ?string $header): void
    {
        if (self::$ffi !== null) {
            if ($library === self::$loaded && ($header === null || $header === self::$libraryHeader)) {
                return;
            }
            throw new \LogicException("Yunhuni\\use_library('$library'): libyunhuni is already loaded from "
                . self::$loaded . '; call use_library() before the first use of the library');
        }
        if ($library === '') {
            throw new \InvalidArgumentException('Yunhuni\use_library(): the library path is empty');
        }
        if (str_contains($library, '/') && !is_file($library)) {
            throw new \InvalidArgumentException("Yunhuni\\use_library('$library'): no such file");
        }
        if ($header !== null && !is_file($header)) {
            throw new \InvalidArgumentException("Yunhuni\\use_library(): the header '$header' is not a file");
        }
        self::$library = $library;
        self::$libraryHeader = $header;
    }

    private static function load(): void
    {
        [$configured, $source] = self::configured();
        $header = self::header($configured);
        $text = (string) file_get_contents($header);
        $declarations = self::declarations($text);
        $want = preg_match('/^#define YUNHUNI_VERSION "([^"]*)"/m', $text, $m) === 1 ? $m[1] : null;
        $major = preg_match('/^#define YUNHUNI_VERSION_MAJOR (\d+)/m', $text, $m) === 1 ? $m[1] : null;

        $tried = [];
        $found = null;
        if ($configured !== null) {
            if (str_contains($configured, '/') && !is_file($configured)) {
                throw new \RuntimeException("libyunhuni: $source names '$configured', which is not a file");
            }
            try {
                $found = [\FFI::cdef($declarations, $configured), $configured];
            } catch (\FFI\Exception $e) {
                throw new \RuntimeException("libyunhuni: $source names '$configured', which PHP's FFI cannot load"
                    . " with the declarations of $header: {$e->getMessage()}", 0, $e);
            }
        }
        $root = dirname(__DIR__, 2);
        foreach ($found === null ? ['release', 'debug'] : [] as $profile) {
            $path = "$root/target/$profile/libyunhuni.so";
            if (is_file($path)) {
                try {
                    $found = [\FFI::cdef($declarations, $path), $path];
                } catch (\FFI\Exception $e) {
                    throw new \RuntimeException("libyunhuni: this checkout's $path cannot be loaded with the"
                        . " declarations of $header: {$e->getMessage()}", 0, $e);
                }
                break;
            }
        }
        $names = $major === null ? ['libyunhuni.so'] : ["libyunhuni.so.$major", 'libyunhuni.so'];
        foreach ($found === null ? $names : [] as $name) {
            try {
                $found = [\FFI::cdef($declarations, $name), $name];
                break;
            } catch (\FFI\Exception $e) {
                $tried[] = $e->getMessage();
            }
        }
        if ($found === null) {
            throw new \RuntimeException('libyunhuni not found: neither Yunhuni\\use_library() nor YUNHUNI_LIB names'
                . " it, and the system's loader found no " . implode(' or ', $names) . ' (' . implode('; ', $tried)
                . '). Install the C library (its lib/ folder in the loader\'s cache after ldconfig, or on'
                . " LD_LIBRARY_PATH), or name it: YUNHUNI_LIB=/path/to/$names[0]"
                . " or Yunhuni\\use_library('/path/to/$names[0]')");
        }
        [$ffi, $from] = $found;
        $have = (string) $ffi->yh_version();
        if ($want !== null && self::minor($have) !== self::minor($want)) {
            throw new \RuntimeException("libyunhuni: the library loaded from $from is version $have, but $header"
                . " declares version $want; use a library and header of the same version (major.minor)");
        }
        self::$ffi = $ffi;
        self::$loaded = $from;
    }

    /** @return array{0: ?string, 1: string} the configured library and who configured it */
    private static function configured(): array
    {
        if (self::$library !== null) {
            return [self::$library, 'Yunhuni\use_library()'];
        }
        $env = getenv('YUNHUNI_LIB');
        return [($env !== false && $env !== '') ? $env : null, 'YUNHUNI_LIB'];
    }

    private static function minor(string $version): string
    {
        return implode('.', array_slice(explode('.', $version), 0, 2));
    }

    private static function header(?string $library): string
    {
        if (self::$libraryHeader !== null) {
            return self::$libraryHeader;
        }
        $env = getenv('YUNHUNI_HEADER');
        if ($env !== false && $env !== '') {
            if (!is_file($env)) {
                throw new \RuntimeException("libyunhuni: YUNHUNI_HEADER names '$env', which is not a file");
            }
            return $env;
        }
        $candidates = [dirname(__DIR__) . '/include/yunhuni.h', dirname(__DIR__, 2) . '/include/yunhuni.h'];
        if ($library !== null && str_contains($library, '/')) {
            $candidates[] = dirname($library, 2) . '/include/yunhuni.h';
        }
        $candidates[] = '/usr/local/include/yunhuni.h';
        $candidates[] = '/usr/include/yunhuni.h';
        foreach ($candidates as $path) {
            if (is_file($path)) {
                return $path;
            }
        }
        throw new \RuntimeException('yunhuni.h not found (looked at ' . implode(', ', $candidates)
            . '); set YUNHUNI_HEADER to its path');
    }

    /** The header without preprocessor lines, which PHP's FFI parser does not accept. */
    private static function declarations(string $text): string
    {
        $text = (string) preg_replace('/^#ifdef __cplusplus.*?^#endif.*?$/ms', '', $text);
        return (string) preg_replace('/^\s*#.*$/m', '', $text);
    }

    /**
     * A PHP string as a C string argument: C strings end at the first NUL byte, so a string
     * containing one is refused rather than cut short. Invalid UTF-8 is left to the library.
     */
    public static function str(string $value, string $field): string
    {
        if (str_contains($value, "\0")) {
            throw new Exception('validation', "$field: must not contain NUL bytes", null, 0, $field, 1);
        }
        return $value;
    }

    /** A copy of `$bytes` in C memory, for `const uint8_t *` arguments. */
    public static function bytes(string $bytes): \FFI\CData
    {
        $len = strlen($bytes);
        $buf = self::get()->new('uint8_t[' . max(1, $len) . ']');
        if ($len > 0) {
            \FFI::memcpy($buf, $bytes, $len);
        }
        return $buf;
    }

    /** A new NULL pointer of `$type` to pass by address as an out parameter. */
    public static function out(string $type): \FFI\CData
    {
        return self::get()->new($type);
    }

    /**
     * Throws the error a failed call returned (and frees it); returns on YH_OK.
     *
     * @param int $result the `yh_result` of the call
     * @param \FFI\CData $err the `yh_error *` the call wrote to
     */
    public static function check(int $result, \FFI\CData $err): void
    {
        if ($result === 0) {
            return;
        }
        throw Exception::fromError($result, $err);
    }

    // ---- the backend of Native ---------------------------------------------------------------

    /** The log callable of the client whose call is running (calls run one at a time on PHP's thread). */
    private static ?\Closure $activeLog = null;
    /** The one C function pointer every client's log callback is (made once per process). */
    private static ?\FFI\CData $onLog = null;
    /** The PHP function behind it, kept alive as long as the pointer. */
    private static ?\Closure $onLogFunction = null;

    /** See Native::clientNew(). */
    public static function clientNew(?array $credentials, array $settings, ?\Closure $log): FfiClient
    {
        $ffi = self::get();
        $builder = self::out('yh_client_builder*');
        $err = self::out('yh_error*');
        if ($credentials === null) {
            self::check($ffi->yh_client_builder_from_env(\FFI::addr($builder), \FFI::addr($err)), $err);
        } else {
            [$appId, $certId, $secretKey] = $credentials;
            self::check($ffi->yh_client_builder_new(
                self::str($appId, 'app_id'),
                self::str($certId, 'cert_id'),
                self::str($secretKey, 'secret_key'),
                \FFI::addr($builder),
                \FFI::addr($err),
            ), $err);
        }
        try {
            foreach ($settings as $name => $value) {
                $err = self::out('yh_error*');
                $result = match ($name) {
                    'base_url' => $ffi->yh_client_builder_set_base_url($builder, self::str($value, $name), \FFI::addr($err)),
                    'account_id' => $ffi->yh_client_builder_set_account_id($builder, self::str($value, $name), \FFI::addr($err)),
                    'user_agent' => $ffi->yh_client_builder_set_user_agent($builder, self::str($value, $name), \FFI::addr($err)),
                    'timeout' => $ffi->yh_client_builder_set_timeout_ms($builder, $value, \FFI::addr($err)),
                    'connect_timeout' => $ffi->yh_client_builder_set_connect_timeout_ms($builder, $value, \FFI::addr($err)),
                    'connect_retries' => $ffi->yh_client_builder_set_connect_retries($builder, $value, \FFI::addr($err)),
                    'max_idle_connections' => $ffi->yh_client_builder_set_max_idle_connections($builder, $value, \FFI::addr($err)),
                    'proxy' => $value === false
                        ? $ffi->yh_client_builder_set_no_proxy($builder, \FFI::addr($err))
                        : $ffi->yh_client_builder_set_proxy($builder, self::str($value, $name), \FFI::addr($err)),
                    default => throw new \ValueError("$name is not a setting"),
                };
                self::check($result, $err);
            }
            if ($log !== null) {
                $err = self::out('yh_error*');
                self::check($ffi->yh_client_builder_set_log($builder, self::onLog(), null, \FFI::addr($err)), $err);
            }
            $client = self::out('yh_client*');
            $err = self::out('yh_error*');
            self::check($ffi->yh_client_builder_build($builder, \FFI::addr($client), \FFI::addr($err)), $err);
            return new FfiClient($client, $log);
        } finally {
            $ffi->yh_client_builder_free($builder);
        }
    }

    /**
     * The C function pointer of the request log callback, made once: PHP's FFI keeps each PHP
     * function it turns into a C one until the process ends, so one serves every client. The
     * library calls it inside the call that sent the request, on PHP's own thread, so the log
     * callable is that of the client whose call is running. Nothing may be thrown from it (PHP
     * ends the process when an exception leaves a C callback).
     */
    private static function onLog(): \FFI\CData
    {
        if (self::$onLog === null) {
            self::$onLogFunction = static function (\FFI\CData $log, mixed $user): void {
                $callable = self::$activeLog;
                if ($callable === null) {
                    return;
                }
                try {
                    $ffi = self::get();
                    $status = (int) $ffi->yh_request_log_status($log);
                    $callable([
                        'line' => (string) $ffi->yh_request_log_line($log),
                        'method' => (string) $ffi->yh_request_log_method($log),
                        'path' => (string) $ffi->yh_request_log_path($log),
                        'status' => $status === 0 ? null : $status,
                        'code' => $ffi->yh_request_log_code($log),
                        'error' => $ffi->yh_request_log_error_kind($log),
                        'duration_ms' => $ffi->yh_request_log_duration_us($log) / 1000.0,
                        'attempts' => (int) $ffi->yh_request_log_attempts($log),
                    ]);
                } catch (\Throwable $e) {
                    error_log('yunhuni: the log callback threw ' . get_class($e) . ': ' . $e->getMessage());
                }
            };
            $holder = self::get()->new('struct { yh_log_fn f; }', false);
            $holder->f = self::$onLogFunction;
            self::$onLog = $holder->f;
        }
        return self::$onLog;
    }

    /** @return array{app_id: string, cert_id: string, account_id: string, api_root: string} */
    public static function clientInfo(FfiClient $client): array
    {
        $ffi = self::get();
        return [
            'app_id' => (string) $ffi->yh_client_app_id($client->pointer),
            'cert_id' => (string) $ffi->yh_client_cert_id($client->pointer),
            'account_id' => (string) $ffi->yh_client_account_id($client->pointer),
            'api_root' => (string) $ffi->yh_client_api_root($client->pointer),
            'cached' => false,
        ];
    }

    /** See Native::request(). */
    public static function request(FfiClient $client, string $operation, array $fields, array $jsonFields, ?int $timeoutMs): array
    {
        $ffi = self::get();
        $request = self::out('yh_request*');
        $options = null;
        $err = self::out('yh_error*');
        try {
            self::check($ffi->yh_request_new(self::str($operation, 'operation'), \FFI::addr($request), \FFI::addr($err)), $err);
            foreach ($fields as $key => $value) {
                $key = (string) $key;
                $name = self::str($key, $key);
                $err = self::out('yh_error*');
                $result = match (true) {
                    is_string($value) && isset($jsonFields[$key]) => $ffi->yh_request_set_json($request, $name, self::str($value, $key), \FFI::addr($err)),
                    is_string($value) => $ffi->yh_request_set_str($request, $name, self::str($value, $key), \FFI::addr($err)),
                    is_int($value) => $ffi->yh_request_set_int($request, $name, $value, \FFI::addr($err)),
                    is_bool($value) => $ffi->yh_request_set_bool($request, $name, $value, \FFI::addr($err)),
                    default => throw new \TypeError("field $key must be of type string|int|bool, " . get_debug_type($value) . ' given'),
                };
                self::check($result, $err);
            }
            if ($timeoutMs !== null) {
                $options = self::out('yh_call_options*');
                $err = self::out('yh_error*');
                self::check($ffi->yh_call_options_new(\FFI::addr($options), \FFI::addr($err)), $err);
                $err = self::out('yh_error*');
                self::check($ffi->yh_call_options_set_timeout_ms($options, $timeoutMs, \FFI::addr($err)), $err);
            }
            $response = self::out('yh_response*');
            $err = self::out('yh_error*');
            $outer = self::$activeLog;
            self::$activeLog = $client->log;
            try {
                $result = $options === null
                    ? $ffi->yh_client_send($client->pointer, $request, \FFI::addr($response), \FFI::addr($err))
                    : $ffi->yh_client_send_with($client->pointer, $request, $options, \FFI::addr($response), \FFI::addr($err));
            } finally {
                self::$activeLog = $outer;
            }
            self::check($result, $err);
        } finally {
            $ffi->yh_request_free($request);
            $ffi->yh_call_options_free($options);
        }
        try {
            $json = $ffi->yh_response_json($response, null);
            return [$json === null ? 'null' : (string) $json, $ffi->yh_response_call_id($response)];
        } finally {
            $ffi->yh_response_free($response);
        }
    }

    /** See Native::parseEvent(). */
    public static function parseEvent(string $body): array
    {
        $ffi = self::get();
        $event = self::out('yh_event*');
        $err = self::out('yh_error*');
        self::check($ffi->yh_event_parse(self::bytes($body), strlen($body), \FFI::addr($event), \FFI::addr($err)), $err);
        try {
            $json = $ffi->yh_event_json($event, null);
            return [
                (string) $ffi->yh_event_name($event),
                $ffi->yh_event_id($event),
                (string) $ffi->yh_event_raw_json($event, null),
                $json === null ? 'null' : (string) $json,
            ];
        } finally {
            $ffi->yh_event_free($event);
        }
    }

    /** string_to_sign() when `$secretKey` is null, else sign(). */
    public static function sign(string $method, string $uri, string $contentType, string $timestamp, string $appId, string $body, ?string $secretKey): string
    {
        $ffi = self::get();
        $out = self::out('char*');
        $err = self::out('yh_error*');
        $args = [
            self::str($method, 'method'),
            self::str($uri, 'uri'),
            self::str($contentType, 'content_type'),
            self::str($timestamp, 'timestamp'),
            self::str($appId, 'app_id'),
            self::bytes($body),
            strlen($body),
        ];
        $result = $secretKey === null
            ? $ffi->yh_string_to_sign(...$args, ...[\FFI::addr($out), \FFI::addr($err)])
            : $ffi->yh_sign(...$args, ...[self::str($secretKey, 'secret_key'), \FFI::addr($out), \FFI::addr($err)]);
        self::check($result, $err);
        try {
            return \FFI::string($out);
        } finally {
            $ffi->yh_string_free($out);
        }
    }

    /** See Native::ivrXml(). */
    public static function ivrXml(string $description): string
    {
        $ffi = self::get();
        $response = self::out('yh_ivr_response*');
        $err = self::out('yh_error*');
        self::check($ffi->yh_ivr_response_from_json(self::str($description, 'response'), $ffi->YH_CASING_SNAKE, \FFI::addr($response), \FFI::addr($err)), $err);
        try {
            $xml = self::out('char*');
            $err = self::out('yh_error*');
            self::check($ffi->yh_ivr_response_to_xml($response, $ffi->YH_CASING_SNAKE, \FFI::addr($xml), \FFI::addr($err)), $err);
        } finally {
            $ffi->yh_ivr_response_free($response);
        }
        try {
            return \FFI::string($xml);
        } finally {
            $ffi->yh_string_free($xml);
        }
    }

    /** See Native::ivrNext(). */
    public static function ivrNext(string $query): string
    {
        $ffi = self::get();
        $next = self::out('yh_ivr_next*');
        $err = self::out('yh_error*');
        self::check($ffi->yh_ivr_next_parse(self::bytes($query), strlen($query), \FFI::addr($next), \FFI::addr($err)), $err);
        try {
            $json = $ffi->yh_ivr_next_json($next, null);
            return $json === null ? 'null' : (string) $json;
        } finally {
            $ffi->yh_ivr_next_free($next);
        }
    }

    /** See Native::webhookNew(). */
    public static function webhookNew(?string $token, ?string $tokenParam, int $maxBody, bool $memory, int $capacity, int $ttlMs): Webhook\FfiReceiver
    {
        $ffi = self::get();
        $receiver = self::out('yh_webhook_receiver*');
        $err = self::out('yh_error*');
        self::check($ffi->yh_webhook_receiver_new(
            $token === null ? null : self::str($token, 'token'),
            $tokenParam === null ? null : self::str($tokenParam, 'token_param'),
            $maxBody,
            $memory ? 0 : 1, // YH_WEBHOOK_STORE_MEMORY, YH_WEBHOOK_STORE_NONE (#defines, which FFI does not read)
            $capacity,
            $ttlMs,
            \FFI::addr($receiver),
            \FFI::addr($err),
        ), $err);
        return new Webhook\FfiReceiver($receiver);
    }

    /** See Native::webhookCheckHead(). */
    public static function webhookCheckHead(Webhook\FfiReceiver $receiver, string $query, int $contentLength): void
    {
        $err = self::out('yh_error*');
        self::check(self::get()->yh_webhook_check_head($receiver->pointer, self::str($query, 'query'), $contentLength, \FFI::addr($err)), $err);
    }

    /** See Native::webhookReceive(). */
    public static function webhookReceive(Webhook\FfiReceiver $receiver, string $query, string $body): array
    {
        $ffi = self::get();
        $delivery = self::out('yh_webhook_delivery*');
        $err = self::out('yh_error*');
        self::check($ffi->yh_webhook_receive($receiver->pointer, self::str($query, 'query'), self::bytes($body), strlen($body), \FFI::addr($delivery), \FFI::addr($err)), $err);
        try {
            $event = $ffi->yh_webhook_delivery_event($delivery);
            $json = $ffi->yh_event_json($event, null);
            return [
                (string) $ffi->yh_webhook_delivery_key($delivery),
                (bool) $ffi->yh_webhook_delivery_duplicate($delivery),
                (int) $ffi->yh_webhook_delivery_status($delivery),
                (string) $ffi->yh_webhook_delivery_body($delivery),
                (string) $ffi->yh_event_name($event),
                $ffi->yh_event_id($event),
                (string) $ffi->yh_event_raw_json($event, null),
                $json === null ? 'null' : (string) $json,
            ];
        } finally {
            $ffi->yh_webhook_delivery_free($delivery);
        }
    }

    /** See Native::webhookRelease(). */
    public static function webhookRelease(Webhook\FfiReceiver $receiver, string $key): void
    {
        $err = self::out('yh_error*');
        self::check(self::get()->yh_webhook_release($receiver->pointer, self::str($key, 'key'), \FFI::addr($err)), $err);
    }

    /** See Native::webhookDefaults(). */
    public static function webhookDefaults(): array
    {
        $ffi = self::get();
        $defaults = [
            'redis_key_prefix' => (string) $ffi->yh_webhook_redis_key_prefix(),
            'ttl_ms' => (int) $ffi->yh_webhook_default_ttl_ms(),
        ];
        // The lease protocol: core's times and texts (the Redis scripts every language runs).
        foreach (['lease', 'wait', 'poll', 'unrenewed_lease', 'min_lease', 'max_lease'] as $name) {
            $defaults[$name . '_ms'] = (int) $ffi->yh_webhook_lease_ms($name);
        }
        foreach (['claim', 'renew', 'complete', 'release'] as $name) {
            $defaults[$name . '_script'] = (string) $ffi->yh_webhook_lease_text($name);
        }
        foreach (['pending_prefix', 'done_value'] as $name) {
            $defaults[$name] = (string) $ffi->yh_webhook_lease_text($name);
        }
        return $defaults;
    }

    /** @return array{code: string, name: string, zh: string, en: string}|null */
    public static function codeInfo(string $code): ?array
    {
        $ffi = self::get();
        $name = self::out('const char*');
        $zh = self::out('const char*');
        $en = self::out('const char*');
        if ($ffi->yh_code_info(self::str($code, 'code'), \FFI::addr($name), \FFI::addr($zh), \FFI::addr($en)) !== 0) {
            return null;
        }
        return ['code' => $code, 'name' => \FFI::string($name), 'zh' => \FFI::string($zh), 'en' => \FFI::string($en)];
    }
}
