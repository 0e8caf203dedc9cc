<?php
// The PHP baseline: what a PHP application does without the SDK: sign with md5 / hash_hmac /
// base64_encode, then POST with curl. Two ways: a new curl handle for every request (so a new TCP
// connection every time), as the platform's own PHP SDK does; or, with $reuseHandle, one handle
// kept for every request (curl then keeps its connection alive), as a careful application does.

declare(strict_types=1);

final class CurlBaselineClient
{
    private const CONTENT_TYPE = 'application/json; charset=utf-8';

    public function __construct(
        private string $appId,
        private string $certId,
        private string $secretKey,
        private string $baseUrl,
        private bool $reuseHandle = false,
    ) {
        $this->baseUrl = rtrim($baseUrl, '/');
    }

    /** The handle kept when $reuseHandle is set. */
    private ?CurlHandle $handle = null;

    /** Places a voice callback; returns the call id or throws RuntimeException. */
    public function duoCallback(string $to1, string $to2, int $maxCallDuration): string
    {
        $uri = "{$this->baseUrl}/v1/account/{$this->certId}/call/duo_callback";
        $body = json_encode(['to1' => $to1, 'to2' => $to2, 'max_call_duration' => $maxCallDuration]);
        $response = $this->post($uri, $body);
        $decoded = json_decode($response, true);
        if (!is_array($decoded) || ($decoded['code'] ?? null) !== '000000') {
            throw new RuntimeException("duo_callback failed: $response");
        }
        return $decoded['data']['callId'];
    }

    private function post(string $uri, string $body): string
    {
        $timestamp = (new DateTimeImmutable('now', new DateTimeZone('Asia/Shanghai')))->format('YmdHis');
        $path = parse_url($uri, PHP_URL_PATH);
        $text = implode("\n", ['POST', md5($body), self::CONTENT_TYPE, $timestamp, $this->appId, $path]);
        $signature = base64_encode(hash_hmac('sha256', $text, $this->secretKey, true));

        $curl = $this->reuseHandle ? ($this->handle ??= curl_init()) : curl_init();
        curl_setopt_array($curl, [
            CURLOPT_URL => $uri,
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_CONNECTTIMEOUT => 5,
            CURLOPT_TIMEOUT => 30,
            CURLOPT_HTTPHEADER => [
                'Accept: application/json',
                'Content-Type: ' . self::CONTENT_TYPE,
                'AppID: ' . $this->appId,
                'CertID: ' . $this->certId,
                'Signature: ' . $signature,
                'Timestamp: ' . $timestamp,
            ],
        ]);
        $response = curl_exec($curl);
        $status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $error = curl_error($curl);
        if (!$this->reuseHandle) {
            curl_close($curl);
        }
        if ($response === false || $status !== 200) {
            throw new RuntimeException("HTTP $status $error");
        }
        return $response;
    }
}
