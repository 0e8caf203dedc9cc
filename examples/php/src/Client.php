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
 * snake_case names; a field that is absent or null is not sent. Every method throws
 * Yunhuni\Exception on failure.
 */
final class Client
{
    use Operations;

    private const SETTINGS = ['base_url', 'account_id', 'timeout', 'connect_timeout', 'user_agent', 'connect_retries'];

    private \FFI\CData $client;

    /**
     * @param array{base_url?: string, account_id?: string, timeout?: int|float,
     *              connect_timeout?: int|float, user_agent?: string, connect_retries?: int} $options
     *        timeouts in seconds (defaults 30 and 5); base_url defaults to the platform's API
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
        $this->client = self::build($builder, $options);
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
        $self->client = self::build($builder, $options);
        return $self;
    }

    /** Applies the options to a builder, builds the client, and frees the builder. */
    private static function build(\FFI\CData $builder, array $options): \FFI\CData
    {
        $ffi = Ffi::get();
        try {
            foreach ($options as $name => $value) {
                if ($value === null) {
                    continue;
                }
                $err = Ffi::out('yh_error*');
                $result = match ($name) {
                    'base_url' => $ffi->yh_client_builder_set_base_url($builder, Ffi::str(Convert::str($value, $name), $name), \FFI::addr($err)),
                    'account_id' => $ffi->yh_client_builder_set_account_id($builder, Ffi::str(Convert::str($value, $name), $name), \FFI::addr($err)),
                    'user_agent' => $ffi->yh_client_builder_set_user_agent($builder, Ffi::str(Convert::str($value, $name), $name), \FFI::addr($err)),
                    'timeout' => $ffi->yh_client_builder_set_timeout_ms($builder, Convert::millis($value, $name), \FFI::addr($err)),
                    'connect_timeout' => $ffi->yh_client_builder_set_connect_timeout_ms($builder, Convert::millis($value, $name), \FFI::addr($err)),
                    'connect_retries' => $ffi->yh_client_builder_set_connect_retries($builder, Convert::int($value, $name), \FFI::addr($err)),
                    default => throw Convert::unknown($name, self::SETTINGS),
                };
                Ffi::check($result, $err);
            }
            $client = Ffi::out('yh_client*');
            $err = Ffi::out('yh_error*');
            Ffi::check($ffi->yh_client_builder_build($builder, \FFI::addr($client), \FFI::addr($err)), $err);
            return $client;
        } finally {
            $ffi->yh_client_builder_free($builder);
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
     * @param array<string, mixed> $fields
     * @throws Exception
     */
    public function request(string $name, array $fields = []): mixed
    {
        $ffi = Ffi::get();
        $request = Ffi::out('yh_request*');
        $err = Ffi::out('yh_error*');
        Ffi::check($ffi->yh_request_new(Ffi::str($name, 'operation'), \FFI::addr($request), \FFI::addr($err)), $err);
        try {
            foreach ($fields as $key => $value) {
                if ($value !== null) {
                    self::set($request, (string) $key, $value);
                }
            }
            $response = Ffi::out('yh_response*');
            $err = Ffi::out('yh_error*');
            Ffi::check($ffi->yh_client_send($this->client, $request, \FFI::addr($response), \FFI::addr($err)), $err);
        } finally {
            $ffi->yh_request_free($request);
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
