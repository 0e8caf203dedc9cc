<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * A client of the Yunhuni (oneyun.com) REST API, on top of libyunhuni.
 *
 *     $client = new Yunhuni\Client($appId, $certId, $secretKey, ['base_url' => 'http://127.0.0.1:8080']);
 *     $call = $client->duoCallback('13800000001', '13800000002', 600, ['user_data' => 'order-42']);
 *     echo $call->callId;
 *
 * Every method throws Yunhuni\Exception on failure. Optional request fields are passed in an
 * array by their platform names; a field that is absent or null is not sent.
 */
final class Client
{
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

    /** The optional fields of each request, with how each value is converted for C. */
    private const FIELDS = [
        'duo_callback' => [
            'from1' => 'cstr', 'from2' => 'cstr', 'ring_tone' => 'cstr', 'ring_tone_mode' => 'int',
            'max_dial_duration' => 'int', 'recording' => 'bool', 'record_mode' => 'int', 'user_data' => 'cstr',
        ],
        'notify_call' => [
            'from' => 'cstr', 'play_file' => 'cstr', 'play_content' => 'playItems', 'repeat' => 'int',
            'max_dial_duration' => 'int', 'user_data' => 'cstr',
        ],
        'verify_call' => [
            'from' => 'cstr', 'verify_code' => 'cstr', 'play_file' => 'cstr', 'repeat' => 'int',
            'max_dial_duration' => 'int', 'user_data' => 'cstr',
        ],
    ];

    /**
     * Places a voice callback: the platform calls `$to1`, then `$to2`, and connects them.
     *
     * @param array{from1?: string, from2?: string, ring_tone?: string, ring_tone_mode?: int,
     *              max_dial_duration?: int, recording?: bool, record_mode?: int,
     *              user_data?: string} $options
     */
    public function duoCallback(string $to1, string $to2, int $maxCallDuration, array $options = []): CallCreated
    {
        return $this->place('duo_callback', [Ffi::str($to1, 'to1'), Ffi::str($to2, 'to2'), $maxCallDuration], $options);
    }

    /** Cancels a voice callback while party 2 is not yet connected. */
    public function cancelDuoCallback(string $callId): void
    {
        $err = Ffi::out('yh_error*');
        Ffi::check(Ffi::get()->yh_client_cancel_duo_callback($this->client, Ffi::str($callId, 'call_id'), \FFI::addr($err)), $err);
    }

    /**
     * Calls `$to` and plays a voice notification.
     *
     * @param array{from?: string, play_file?: string, play_content?: list<array{0: string, 1: int}>,
     *              repeat?: int, max_dial_duration?: int, user_data?: string} $options
     *        play_content items are [content, type] with type 0 file, 1 digits, 2 number,
     *        3 amount, 4 date/time, 5 duration
     */
    public function notifyCall(string $to, array $options = []): CallCreated
    {
        return $this->place('notify_call', [Ffi::str($to, 'to')], $options);
    }

    /**
     * Calls `$to` and reads out a verification code.
     *
     * @param array{from?: string, verify_code?: string, play_file?: string, repeat?: int,
     *              max_dial_duration?: int, user_data?: string} $options
     */
    public function verifyCall(string $to, array $options = []): CallCreated
    {
        return $this->place('verify_call', [Ffi::str($to, 'to')], $options);
    }

    /**
     * Makes a request with `yh_{$kind}_new($required...)`, sets each given option with its
     * `yh_{$kind}_set_*` (or adds play items), sends it with `yh_client_{$kind}`, frees it.
     */
    private function place(string $kind, array $required, array $options): CallCreated
    {
        $ffi = Ffi::get();
        $fields = self::FIELDS[$kind];
        $request = Ffi::out("yh_{$kind}*");
        $err = Ffi::out('yh_error*');
        Ffi::check($ffi->{"yh_{$kind}_new"}(...$required, ...[\FFI::addr($request), \FFI::addr($err)]), $err);
        try {
            foreach ($options as $name => $value) {
                if ($value === null) {
                    continue;
                }
                $convert = $fields[$name] ?? throw Convert::unknown($name, array_keys($fields));
                if ($convert === 'playItems') {
                    foreach (Convert::playItems($value) as [$content, $type]) {
                        $err = Ffi::out('yh_error*');
                        Ffi::check($ffi->{"yh_{$kind}_add_play_item"}($request, $content, $type, \FFI::addr($err)), $err);
                    }
                    continue;
                }
                $err = Ffi::out('yh_error*');
                $setter = "yh_{$kind}_set_{$name}";
                Ffi::check($ffi->$setter($request, Convert::$convert($value, $name), \FFI::addr($err)), $err);
            }
            $call = Ffi::out('yh_call_created*');
            $err = Ffi::out('yh_error*');
            Ffi::check($ffi->{"yh_client_{$kind}"}($this->client, $request, \FFI::addr($call), \FFI::addr($err)), $err);
            return self::created($call);
        } finally {
            $ffi->{"yh_{$kind}_free"}($request);
        }
    }

    /** Copies a `yh_call_created *` into PHP and frees it. */
    private static function created(\FFI\CData $call): CallCreated
    {
        $ffi = Ffi::get();
        try {
            return new CallCreated((string) $ffi->yh_call_created_call_id($call), $ffi->yh_call_created_user_data($call));
        } finally {
            $ffi->yh_call_created_free($call);
        }
    }
}
