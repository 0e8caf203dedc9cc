<?php

declare(strict_types=1);

/**
 * A drop-in for the `SapiSdk` class of the platform's PHP demo, on top of Yunhuni\Client.
 *
 *     $api = new SapiSdk($appId, $certId, $apiUrl, $secretKey);
 *     $result = $api->duoCallback(null, '13800000001', null, '13800000002', null, 0, 30, 3600, 0, 0, 'order-42');
 *     $res = json_decode($result, true);   // $res['code'] == '000000' on success
 *
 * Methods return the platform's JSON response as a string, as the demo expects:
 * `{"code":"000000","msg":"请求成功","data":{"callId":"...","user_data":...}}` on success,
 * `{"code":"020000","msg":"呼叫不存在","data":null}` when the platform refuses. A failure with no
 * platform code (a rule checked before sending, credentials refused, a timeout, ...) gives
 * `"code":null`, the SDK's message in `msg`, and an extra `error` object with its `kind`, `field`,
 * `status` and `maybe_sent` (true when a failed request may have reached the platform: do not
 * simply send it again). lastError() returns the Yunhuni\Exception of the last failed call.
 *
 * Arguments that are null or '' are "not given" and left out of the request; numeric strings
 * are accepted for the numeric arguments.
 */
class SapiSdk
{
    private ?Yunhuni\Client $client = null;
    private ?Yunhuni\Exception $setupError = null;
    private ?Yunhuni\Exception $lastError = null;

    /**
     * @param string $appId     the application's AppID (应用标识)
     * @param string $certId    the account's CertID (鉴权账号)
     * @param string $apiUrl    the API URL as the console shows it, http://api.yunhuni.com/v1/account/{id}/,
     *                          or the sandbox's base URL
     * @param string $secretKey the CertID's secret key (密钥)
     */
    public function __construct($appId, $certId, $apiUrl, $secretKey)
    {
        try {
            $options = self::given($apiUrl) ? ['base_url' => (string) $apiUrl] : [];
            $this->client = new Yunhuni\Client((string) $appId, (string) $certId, (string) $secretKey, $options);
        } catch (Yunhuni\Exception $e) {
            $this->setupError = $e;
        }
    }

    /**
     * Voice callback (双向回拨): the platform calls `$to1`, then `$to2`, and connects them.
     *
     * @return string the platform's JSON response
     */
    public function duoCallback($from1, $to1, $from2, $to2, $ring_tone, $ring_tone_mode, $max_dial_duration, $max_call_duration, $recording, $record_mode, $user_data)
    {
        return $this->respond(function (Yunhuni\Client $client) use ($from1, $to1, $from2, $to2, $ring_tone, $ring_tone_mode, $max_dial_duration, $max_call_duration, $recording, $record_mode, $user_data): array {
            if (!self::given($max_call_duration)) {
                throw new Yunhuni\Exception('validation', 'max_call_duration: is required', null, 0, 'max_call_duration', 1);
            }
            // The demo passes numbers as strings ('30') and booleans as 0/1: each argument is
            // read as the type of its place in the vendor's signature.
            $options = [];
            foreach (['from1' => $from1, 'from2' => $from2, 'ring_tone' => $ring_tone, 'user_data' => $user_data] as $name => $value) {
                if (self::given($value)) {
                    $options[$name] = Yunhuni\Convert::str($value, $name);
                }
            }
            foreach (['ring_tone_mode' => $ring_tone_mode, 'max_dial_duration' => $max_dial_duration, 'record_mode' => $record_mode] as $name => $value) {
                if (self::given($value)) {
                    $options[$name] = Yunhuni\Convert::int($value, $name);
                }
            }
            if (self::given($recording)) {
                $options['recording'] = Yunhuni\Convert::bool($recording, 'recording');
            }
            $call = $client->duoCallback(
                (string) $to1,
                (string) $to2,
                Yunhuni\Convert::int($max_call_duration, 'max_call_duration'),
                $options,
            );
            return ['callId' => $call->callId, 'user_data' => $call->userData];
        });
    }

    /**
     * Cancels a voice callback (取消双向回拨) while party 2 is not yet connected.
     *
     * @return string the platform's JSON response
     */
    public function duoCallbackCancel($callId)
    {
        return $this->respond(function (Yunhuni\Client $client) use ($callId): ?array {
            $client->cancelDuoCallback((string) $callId);
            return null;
        });
    }

    /** The error of the last call that failed, or null if it succeeded. */
    public function lastError(): ?Yunhuni\Exception
    {
        return $this->lastError;
    }

    /** Runs a call and renders the platform's JSON response. */
    private function respond(callable $call): string
    {
        $this->lastError = null;
        try {
            if ($this->client === null) {
                throw $this->setupError;
            }
            $data = $call($this->client);
            return self::json(['code' => '000000', 'msg' => self::message('000000'), 'data' => $data]);
        } catch (Yunhuni\Exception $e) {
            $this->lastError = $e;
            if ($e->platformCode !== null) {
                return self::json(['code' => $e->platformCode, 'msg' => $e->platformMessage ?? self::message($e->platformCode) ?? $e->getMessage(), 'data' => null]);
            }
            return self::json([
                'code' => null,
                'msg' => $e->getMessage(),
                'data' => null,
                'error' => ['kind' => $e->kind, 'field' => $e->field, 'status' => $e->status, 'maybe_sent' => $e->maybeSent],
            ]);
        }
    }

    /** The server's message for a code, from the platform's code table. */
    private static function message(string $code): ?string
    {
        return Yunhuni\code_info($code)['zh'] ?? null;
    }

    private static function json(array $value): string
    {
        return json_encode($value, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
    }

    /** Null and '' mean "not given", as in the platform's demo. */
    private static function given($value): bool
    {
        return $value !== null && $value !== '';
    }
}
