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

    private const SETTINGS = ['base_url', 'account_id', 'timeout', 'connect_timeout', 'user_agent', 'connect_retries', 'proxy', 'logger'];
    private const CALL_OPTIONS = ['timeout'];

    private \FFI\CData $client;

    /** The logger given in the options, if any. */
    private ?object $logger = null;

    /** The logger of the client whose call is running (calls run one at a time on PHP's thread). */
    private static ?object $activeLogger = null;
    /** The one C function pointer every client's log callback is (made once per process). */
    private static ?\FFI\CData $onLog = null;
    /** The PHP function behind it, kept alive as long as the pointer. */
    private static ?\Closure $onLogFunction = null;

    /**
     * @param array{base_url?: string, account_id?: string, timeout?: int|float,
     *              connect_timeout?: int|float, user_agent?: string, connect_retries?: int,
     *              proxy?: string|false, logger?: object} $options
     *        timeouts in seconds (defaults 30 and 5; more than 86400, 24 hours, is refused);
     *        base_url defaults to the platform's API; proxy: a proxy URL (`http://host:port`,
     *        `socks5://...`), or false for none whatever HTTPS_PROXY / HTTP_PROXY / ALL_PROXY say
     *        (by default those variables name the proxy); logger: any object with a PSR-3 style
     *        `debug(string $message, array $context)` method, told of each request
     */
    public function __construct(string $appId, string $certId, string $secretKey, array $options = [])
    {
        $ffi = Ffi::get();
        $builder = Ffi::out('yh_client_builder*');
        $err = Ffi::out('yh_error*');
        Ffi::check($ffi->yh_client_builder_new(
            Ffi::str($appId, 'app_id'),
            Ffi::str($certId, 'cert_id'),
            Ffi::str($secretKey, 'secret_key'),
            \FFI::addr($builder),
            \FFI::addr($err),
        ), $err);
        [$this->client, $this->logger] = self::build($builder, $options);
    }

    /**
     * A client from YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY (required),
     * YUNHUNI_BASE_URL and YUNHUNI_ACCOUNT_ID (optional), plus `$options` as for the constructor.
     */
    public static function fromEnv(array $options = []): self
    {
        $ffi = Ffi::get();
        $builder = Ffi::out('yh_client_builder*');
        $err = Ffi::out('yh_error*');
        Ffi::check($ffi->yh_client_builder_from_env(\FFI::addr($builder), \FFI::addr($err)), $err);
        $self = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        [$self->client, $self->logger] = self::build($builder, $options);
        return $self;
    }

    /**
     * Applies the options to a builder, builds the client, and frees the builder.
     *
     * @return array{0: \FFI\CData, 1: ?object} the client and its logger
     */
    private static function build(\FFI\CData $builder, array $options): array
    {
        $ffi = Ffi::get();
        $logger = null;
        try {
            foreach ($options as $name => $value) {
                if ($value === null) {
                    continue;
                }
                $err = Ffi::out('yh_error*');
                if ($name === 'logger') {
                    if (!is_object($value) || !is_callable([$value, 'debug'])) {
                        throw Convert::invalid('logger', 'must be an object with a debug(string $message, array $context) method (PSR-3), not ' . get_debug_type($value));
                    }
                    $logger = $value;
                    Ffi::check($ffi->yh_client_builder_set_log($builder, self::onLog(), null, \FFI::addr($err)), $err);
                    continue;
                }
                $result = match ($name) {
                    'base_url' => $ffi->yh_client_builder_set_base_url($builder, Ffi::str(Convert::str($value, $name), $name), \FFI::addr($err)),
                    'account_id' => $ffi->yh_client_builder_set_account_id($builder, Ffi::str(Convert::str($value, $name), $name), \FFI::addr($err)),
                    'user_agent' => $ffi->yh_client_builder_set_user_agent($builder, Ffi::str(Convert::str($value, $name), $name), \FFI::addr($err)),
                    'timeout' => $ffi->yh_client_builder_set_timeout_ms($builder, Convert::millis($value, $name), \FFI::addr($err)),
                    'connect_timeout' => $ffi->yh_client_builder_set_connect_timeout_ms($builder, Convert::millis($value, $name), \FFI::addr($err)),
                    'connect_retries' => $ffi->yh_client_builder_set_connect_retries($builder, Convert::u32($value, $name), \FFI::addr($err)),
                    'proxy' => $value === false
                        ? $ffi->yh_client_builder_set_no_proxy($builder, \FFI::addr($err))
                        : $ffi->yh_client_builder_set_proxy($builder, Ffi::str(Convert::str($value, $name), $name), \FFI::addr($err)),
                    default => throw Convert::unknown($name, self::SETTINGS),
                };
                Ffi::check($result, $err);
            }
            $client = Ffi::out('yh_client*');
            $err = Ffi::out('yh_error*');
            Ffi::check($ffi->yh_client_builder_build($builder, \FFI::addr($client), \FFI::addr($err)), $err);
            return [$client, $logger];
        } finally {
            $ffi->yh_client_builder_free($builder);
        }
    }

    /**
     * The C function pointer of the request log callback, made once: PHP's FFI keeps each PHP
     * function it turns into a C one until the process ends, so one serves every client. The
     * library calls it inside the call that sent the request, on PHP's own thread, so the logger
     * is that of the client whose call is running.
     */
    private static function onLog(): \FFI\CData
    {
        if (self::$onLog === null) {
            self::$onLogFunction = static function (\FFI\CData $log, mixed $user): void {
                self::log($log);
            };
            $holder = Ffi::get()->new('struct { yh_log_fn f; }', false);
            $holder->f = self::$onLogFunction;
            self::$onLog = $holder->f;
        }
        return self::$onLog;
    }

    /**
     * Hands one request's log to its client's logger. The library calls it on PHP's own thread,
     * inside the call that sent the request, before that call returns. Nothing may be thrown
     * from here (PHP ends the process when an exception leaves a C callback), so a logger that
     * throws is reported through error_log() and the request goes on.
     */
    private static function log(\FFI\CData $log): void
    {
        try {
            $logger = self::$activeLogger;
            if ($logger === null) {
                return;
            }
            $ffi = Ffi::get();
            $status = (int) $ffi->yh_request_log_status($log);
            $logger->debug((string) $ffi->yh_request_log_line($log), [
                'method' => (string) $ffi->yh_request_log_method($log),
                'path' => (string) $ffi->yh_request_log_path($log),
                'status' => $status === 0 ? null : $status,
                'code' => $ffi->yh_request_log_code($log),
                'error' => $ffi->yh_request_log_error_kind($log),
                'duration_ms' => $ffi->yh_request_log_duration_us($log) / 1000.0,
                'attempts' => (int) $ffi->yh_request_log_attempts($log),
            ]);
        } catch (\Throwable $e) {
            error_log('yunhuni: the logger threw ' . get_class($e) . ': ' . $e->getMessage());
        }
    }

    public function __destruct()
    {
        if (isset($this->client)) {
            Ffi::get()->yh_client_free($this->client);
        }
    }

    public function __clone()
    {
        throw new \LogicException('a Yunhuni\Client cannot be cloned; share the one you have');
    }

    /** The AppID this client sends. */
    public function appId(): string
    {
        return (string) Ffi::get()->yh_client_app_id($this->client);
    }

    /** The CertID this client sends. */
    public function certId(): string
    {
        return (string) Ffi::get()->yh_client_cert_id($this->client);
    }

    /** The account id in the request paths. */
    public function accountId(): string
    {
        return (string) Ffi::get()->yh_client_account_id($this->client);
    }

    /** The URL request paths are relative to, ending in /v1/account/{id}/. */
    public function apiRoot(): string
    {
        return (string) Ffi::get()->yh_client_api_root($this->client);
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
        $ffi = Ffi::get();
        $options = self::callOptions($callOptions);
        $request = Ffi::out('yh_request*');
        $err = Ffi::out('yh_error*');
        try {
            Ffi::check($ffi->yh_request_new(Ffi::str($name, 'operation'), \FFI::addr($request), \FFI::addr($err)), $err);
            foreach ($fields as $key => $value) {
                if ($value !== null) {
                    self::set($request, (string) $key, $value);
                }
            }
            $response = Ffi::out('yh_response*');
            $err = Ffi::out('yh_error*');
            $outer = self::$activeLogger;
            self::$activeLogger = $this->logger;
            try {
                $result = $options === null
                    ? $ffi->yh_client_send($this->client, $request, \FFI::addr($response), \FFI::addr($err))
                    : $ffi->yh_client_send_with($this->client, $request, $options, \FFI::addr($response), \FFI::addr($err));
            } finally {
                self::$activeLogger = $outer;
            }
            Ffi::check($result, $err);
        } finally {
            $ffi->yh_request_free($request);
            $ffi->yh_call_options_free($options);
        }
        try {
            $data = json_decode((string) $ffi->yh_response_json($response, null), true, 512, JSON_THROW_ON_ERROR);
            $callId = $ffi->yh_response_call_id($response);
        } finally {
            $ffi->yh_response_free($response);
        }
        if ($callId === null) {
            return $data;
        }
        $userData = is_array($data) ? ($data['user_data'] ?? null) : null;
        return new CallCreated((string) $callId, is_string($userData) ? $userData : null);
    }

    /** The `yh_call_options *` of request()'s `$callOptions`, or null when there are none. */
    private static function callOptions(array $callOptions): ?\FFI\CData
    {
        $callOptions = array_filter($callOptions, fn ($v) => $v !== null);
        if ($callOptions === []) {
            return null;
        }
        $ffi = Ffi::get();
        $options = Ffi::out('yh_call_options*');
        $err = Ffi::out('yh_error*');
        Ffi::check($ffi->yh_call_options_new(\FFI::addr($options), \FFI::addr($err)), $err);
        try {
            foreach ($callOptions as $name => $value) {
                $err = Ffi::out('yh_error*');
                $result = match ($name) {
                    'timeout' => $ffi->yh_call_options_set_timeout_ms($options, Convert::millis($value, $name), \FFI::addr($err)),
                    default => throw Convert::unknown($name, self::CALL_OPTIONS),
                };
                Ffi::check($result, $err);
            }
        } catch (\Throwable $e) {
            $ffi->yh_call_options_free($options);
            throw $e;
        }
        return $options;
    }

    /** Sets one field of a `yh_request *`: one conversion per PHP type (see request()). */
    private static function set(\FFI\CData $request, string $key, mixed $value): void
    {
        $ffi = Ffi::get();
        $name = Ffi::str($key, $key);
        $err = Ffi::out('yh_error*');
        $result = match (true) {
            is_string($value) => $ffi->yh_request_set_str($request, $name, Ffi::str($value, $key), \FFI::addr($err)),
            is_int($value) => $ffi->yh_request_set_int($request, $name, $value, \FFI::addr($err)),
            is_bool($value) => $ffi->yh_request_set_bool($request, $name, $value, \FFI::addr($err)),
            default => $ffi->yh_request_set_json($request, $name, Convert::json($value, $key), \FFI::addr($err)),
        };
        Ffi::check($result, $err);
    }
}
