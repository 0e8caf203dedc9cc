<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * A client of the Yunhuni (oneyun.com) REST API, on top of libyunhuni.
 *
 *     $client = new Yunhuni\Client($appId, $certId, $secretKey, ['base_url' => 'http://127.0.0.1:8080']);
 *     $call = $client->duoCallback('13800000001', '13800000002', 600, ['user_data' => 'order-42']);
 *     echo $call->callId;
 *     $conf = $client->confCreate(600, ['max_parts' => 5]);     // ['confId' => '...']
 *     $page = $client->request('ext_list', ['page_size' => 50]); // any operation by name
 *
 * Every operation of the platform has a method (from the trait Operations, generated from the
 * core's declarations): required fields as arguments, optional ones in an array by their
 * snake_case names; a field that is absent or null is not sent. Every method takes a last
 * `array $callOptions` (['timeout' => seconds] for that call only) and throws
 * Yunhuni\Exception on failure.
 */
final class Client
{
    use Operations;

    private const SETTINGS = ['base_url', 'account_id', 'timeout', 'connect_timeout', 'user_agent', 'connect_retries', 'max_idle_connections', 'proxy', 'logger'];
    private const CALL_OPTIONS = ['timeout'];

    /** The library's client: an extension's Yunhuni\Ext\Client or an FfiClient (see Native). */
    private object $client;

    /**
     * @param array{base_url?: string, account_id?: string, timeout?: int|float,
     *              connect_timeout?: int|float, user_agent?: string, connect_retries?: int,
     *              max_idle_connections?: int, proxy?: string|false, logger?: object} $options
     *        timeouts in seconds (defaults 30 and 5; more than 86400, 24 hours, is refused);
     *        base_url defaults to the platform's API; proxy: a proxy URL (`http://host:port`,
     *        `socks5://...`), or false for none whatever HTTPS_PROXY / HTTP_PROXY / ALL_PROXY say
     *        (by default those variables name the proxy); max_idle_connections: idle
     *        connections kept open for reuse (default 64, at most 65536; 0 closes each
     *        connection after its answer); logger: any object with a PSR-3 style
     *        `debug(string $message, array $context)` method, told of each request
     */
    public function __construct(string $appId, string $certId, string $secretKey, array $options = [])
    {
        [$settings, $log] = self::settings($options);
        $this->client = Native::clientNew([$appId, $certId, $secretKey], $settings, $log);
    }

    /**
     * A client from YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY (required),
     * YUNHUNI_BASE_URL and YUNHUNI_ACCOUNT_ID (optional), plus `$options` as for the constructor.
     */
    public static function fromEnv(array $options = []): self
    {
        [$settings, $log] = self::settings($options);
        $self = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $self->client = Native::clientNew(null, $settings, $log);
        return $self;
    }

    /**
     * The options as the library's settings (seconds as milliseconds, ...), and the logger as
     * the log callable.
     *
     * @return array{0: array<string, string|int|false>, 1: ?\Closure}
     */
    private static function settings(array $options): array
    {
        $settings = [];
        $log = null;
        foreach ($options as $name => $value) {
            if ($value === null) {
                continue;
            }
            if ($name === 'logger') {
                if (!is_object($value) || !is_callable([$value, 'debug'])) {
                    throw Convert::invalid('logger', 'must be an object with a debug(string $message, array $context) method (PSR-3), not ' . get_debug_type($value));
                }
                $log = self::logTo($value);
                continue;
            }
            $settings[$name] = match ($name) {
                'base_url', 'account_id', 'user_agent' => Convert::str($value, $name),
                'timeout', 'connect_timeout' => Convert::millis($value, $name),
                'connect_retries' => Convert::u32($value, $name),
                'max_idle_connections' => Convert::count($value, $name),
                'proxy' => $value === false ? false : Convert::str($value, $name),
                default => throw Convert::unknown($name, self::SETTINGS),
            };
        }
        return [$settings, $log];
    }

    /**
     * The log callable handing each request's log entry to `$logger`. The library calls it on
     * PHP's own thread, inside the call that sent the request, before that call returns.
     * Nothing may be thrown from there, so a logger that throws is reported through error_log()
     * and the request goes on.
     */
    private static function logTo(object $logger): \Closure
    {
        return static function (array $entry) use ($logger): void {
            try {
                $line = (string) $entry['line'];
                unset($entry['line']);
                $logger->debug($line, $entry);
            } catch (\Throwable $e) {
                error_log('yunhuni: the logger threw ' . get_class($e) . ': ' . $e->getMessage());
            }
        };
    }

    public function __clone()
    {
        throw new \LogicException('a Yunhuni\Client cannot be cloned; share the one you have');
    }

    /** The AppID this client sends. */
    public function appId(): string
    {
        return Native::clientInfo($this->client)['app_id'];
    }

    /** The CertID this client sends. */
    public function certId(): string
    {
        return Native::clientInfo($this->client)['cert_id'];
    }

    /** The account id in the request paths. */
    public function accountId(): string
    {
        return Native::clientInfo($this->client)['account_id'];
    }

    /** The URL request paths are relative to, ending in /v1/account/{id}/. */
    public function apiRoot(): string
    {
        return Native::clientInfo($this->client)['api_root'];
    }

    /**
     * Sends the operation called `$name` (for example 'conf_create', or an alias such as
     * 'cancel_duo_callback') with `$fields` by their snake_case names, and returns the answer's
     * data as PHP values (objects as arrays), or a CallCreated for an operation that places a call.
     * A field whose value is null is not sent. The typed methods (confCreate(), ...) call this.
     *
     * Each value goes to the library by its PHP type: a string as a string, an int as an
     * integer, a bool as a boolean, anything else (arrays: lists, play_content rows, lists of
     * objects; floats) as JSON. The library checks everything: an unknown field, a value of the
     * wrong type ('30' for an integer field), a missing required field or a broken rule throws
     * kind `validation` naming the field, and nothing is sent.
     *
     * `$callOptions` applies to this call only: 'timeout' (seconds, above 0 and at most 86400)
     * instead of the client's timeout.
     *
     * A `transport` or `timeout` exception whose `maybeSent` is true may have reached the
     * platform: check the call's events before sending it again.
     *
     * @param array<string, mixed> $fields
     * @param array{timeout?: int|float} $callOptions
     * @throws Exception
     */
    public function request(string $name, array $fields = [], array $callOptions = []): mixed
    {
        $timeoutMs = self::timeoutMs($callOptions);
        $values = [];
        $json = [];
        foreach ($fields as $key => $value) {
            if ($value === null) {
                continue;
            }
            if (!is_string($value) && !is_int($value) && !is_bool($value)) {
                $value = Convert::json($value, (string) $key);
                $json[$key] = true;
            }
            $values[$key] = $value;
        }
        [$text, $callId] = Native::request($this->client, $name, $values, $json, $timeoutMs);
        $data = json_decode($text, true, 512, JSON_THROW_ON_ERROR);
        if ($callId === null) {
            return $data;
        }
        $userData = is_array($data) ? ($data['user_data'] ?? null) : null;
        return new CallCreated((string) $callId, is_string($userData) ? $userData : null);
    }

    /** request()'s `$callOptions` as the call's timeout in milliseconds, or null when none. */
    private static function timeoutMs(array $callOptions): ?int
    {
        $timeoutMs = null;
        foreach ($callOptions as $name => $value) {
            if ($value === null) {
                continue;
            }
            $timeoutMs = match ($name) {
                'timeout' => Convert::millis($value, $name),
                default => throw Convert::unknown($name, self::CALL_OPTIONS),
            };
        }
        return $timeoutMs;
    }
}
