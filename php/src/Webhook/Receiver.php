<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

use Yunhuni\Event;
use Yunhuni\Exception;
use Yunhuni\Native;

/**
 * Receives the platform's webhooks: the URL token, the body's size, the event (core's parser,
 * every event typed), "seen before?" in a dedup Store, and the answer to send. It is core's
 * one receiving routine (libyunhuni's yh_webhook_*); the helpers serve() (plain PHP, reading
 * php://input), Psr15\Middleware and Psr15\RequestHandler (PSR-7/PSR-15) only adapt requests
 * and responses to it.
 *
 *     $receiver = new Yunhuni\Webhook\Receiver(
 *         token: getenv('WEBHOOK_TOKEN'),                 // the callback URL ends ?token=...
 *         store: new Yunhuni\Webhook\RedisStore($redis),  // shared by every process
 *     );
 *     Yunhuni\Webhook\serve($receiver, function (Yunhuni\Event $event): void { ... });
 *
 * Every refusal is a Yunhuni\Exception whose `status` is the HTTP status to answer: 401 (the
 * URL has no token) and 403 (a wrong one), kind `auth`, field `token`; 413 (the body is larger
 * than `maxBody`), kind `decode`, field `body`; 400 (not an event), kind `decode`; 503 (the
 * store failed: the platform should try again), kind `transport`. A wrong token is refused
 * before the body is parsed, and checkHead() refuses it, and a declared length over the limit,
 * before the body is read.
 */
final class Receiver
{
    /** The largest body core accepts unless told otherwise (1 MiB). */
    public const DEFAULT_MAX_BODY = 1048576;

    /** @var object the libyunhuni receiver (the extension's or FFI's handle) */
    private readonly object $native;
    private readonly ?Store $store;
    private readonly int $maxBody;

    /**
     * @param string|null $token the URL token (1 to 256 bytes), or null for none: deliveries
     *                           whose query lacks `<tokenParam>=<token>` are refused
     * @param Store|MemoryStore|null $store where deliveries are remembered: core's in-process
     *                                      MemoryStore (the default), a RedisStore, your own
     *                                      Store, or null for none (every delivery is new)
     * @param int|null $maxBody the largest body accepted, 1 to 1 MiB (null: 1 MiB)
     * @param string|null $tokenParam the query parameter of the token (null: `token`)
     * @throws Exception kind `validation` naming `token`, `token_param`, `max_body`,
     *                   `capacity` or `ttl_ms` when one is out of its range
     */
    public function __construct(
        ?string $token = null,
        Store|MemoryStore|null $store = new MemoryStore(),
        ?int $maxBody = null,
        ?string $tokenParam = null,
    ) {
        $memory = $store instanceof MemoryStore ? $store : null;
        $this->native = Native::webhookNew($token, $tokenParam, $maxBody, $memory !== null, $memory?->capacity, $memory?->ttlMs);
        $this->store = $store instanceof Store ? $store : null;
        // Only how much of a body the helpers read; core checks the size itself.
        $this->maxBody = $maxBody ?? self::DEFAULT_MAX_BODY;
    }

    /** The largest body accepted, in bytes. */
    public function maxBody(): int
    {
        return $this->maxBody;
    }

    /**
     * The checks that need no body, to run before reading it: the URL token in `$query` (the
     * request URL's query string, `$_SERVER['QUERY_STRING']`) and the declared Content-Length
     * (null when the request has none) against maxBody().
     *
     * @throws Exception with the status to answer (401, 403, 413)
     */
    public function checkHead(string $query, ?int $contentLength): void
    {
        Native::webhookCheckHead($this->native, $query, $contentLength);
    }

    /**
     * Checks the token and the body's size, parses the body exactly as received and claims
     * its delivery key in the store.
     *
     * @throws Exception with the status to answer (401, 403, 413, 400, 503)
     */
    public function receive(string $query, string $body): Delivery
    {
        [$key, $duplicate, $status, $answer, $name, $id, $raw, $json] = Native::webhookReceive($this->native, $query, $body);
        $event = new Event($name, $id, $raw, json_decode($json, true, 512, JSON_THROW_ON_ERROR));
        if ($this->store !== null && $name !== 'ivr_start') {
            try {
                $duplicate = !$this->store->claim($key);
            } catch (\Throwable $e) {
                throw self::storeFailed($e);
            }
        }
        return new Delivery($event, $key, $duplicate, $status, $answer);
    }

    /**
     * Forgets a delivery in the store, so that the platform's re-send is handled as new: call
     * it when handling failed, then answer a status other than 200.
     *
     * @throws Exception kind `transport` (status 503) when the store failed
     */
    public function release(Delivery|string $delivery): void
    {
        $key = $delivery instanceof Delivery ? $delivery->key : $delivery;
        if ($this->store === null) {
            Native::webhookRelease($this->native, $key);
            return;
        }
        try {
            $this->store->release($key);
        } catch (\Throwable $e) {
            throw self::storeFailed($e);
        }
    }

    /**
     * The key prefix (`yunhuni:webhook:`) and the time to live (one hour) of the Redis stores of
     * every language: core's constants.
     *
     * @return array{redis_key_prefix: string, ttl_ms: int}
     */
    public static function defaults(): array
    {
        return Native::webhookDefaults();
    }

    private static function storeFailed(\Throwable $e): Exception
    {
        $message = "the webhook's dedup store failed: " . get_class($e) . ': ' . $e->getMessage();
        return new Exception('transport', $message, null, 503, null, 0, null, false, $e);
    }
}
