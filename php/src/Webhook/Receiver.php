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
 * store failed: the platform should try again), kind `transport`; 503 from begin() when another
 * worker still holds the key after the wait, kind `timeout`. A wrong token is refused
 * before the body is parsed, and checkHead() refuses it, and a declared length over the limit,
 * before the body is read.
 *
 * Leases (begin(), what the helpers use, with a LeaseStore such as RedisStore): a delivery's key
 * is held under a lease while it is handled, marked done by complete() once handled, released
 * on failure; a worker that dies while handling leaves the key free once its lease runs out,
 * and the platform's re-send is handled. A re-send whose key another worker holds waits (up to
 * `waitMs`, core's 4 s) for it to be done (a duplicate, 200) or free (claimed and handled); still
 * held → 503. PHP under PHP-FPM has no thread or timer to renew a lease while the handler runs,
 * so the lease is core's "unrenewed" one, 10 s, unless told otherwise: a handler that may take
 * longer calls `$delivery->renew()` every few seconds (else a re-send after the lease ran out
 * is handled a second time). With the MemoryStore (one request's memory under PHP-FPM) or a
 * Store without the lease methods, a claimed key is done at once (no lease).
 */
final class Receiver
{
    /** The largest body core accepts unless told otherwise (1 MiB). */
    public const DEFAULT_MAX_BODY = 1048576;

    /** @var object the libyunhuni receiver (the extension's or FFI's handle) */
    private readonly object $native;
    private readonly ?Store $store;
    private readonly int $maxBody;
    private readonly int $leaseMs;
    private readonly int $waitMs;
    private readonly int $pollMs;

    /**
     * @param string|null $token the URL token (1 to 256 bytes), or null for none: deliveries
     *                           whose query lacks `<tokenParam>=<token>` are refused
     * @param Store|MemoryStore|null $store where deliveries are remembered: core's in-process
     *                                      MemoryStore (the default), a RedisStore, your own
     *                                      Store, or null for none (every delivery is new)
     * @param int|null $maxBody the largest body accepted, 1 to 1 MiB (null: 1 MiB)
     * @param string|null $tokenParam the query parameter of the token (null: `token`)
     * @param int|null $leaseMs how long a handler holds a delivery's key (null: core's 10 s for
     *                          helpers that cannot renew on their own); see renew()
     * @param int|null $waitMs how long a re-send waits for a key another worker holds (null:
     *                         core's 4 s; keep it below the platform's 5 s)
     * @param int|null $pollMs how often it looks at that key (null: core's 50 ms)
     * @throws Exception kind `validation` naming `token`, `token_param`, `max_body`,
     *                   `capacity`, `ttl_ms`, `lease_ms`, `wait_ms` or `poll_ms` when one is out
     *                   of its range
     */
    public function __construct(
        ?string $token = null,
        Store|MemoryStore|null $store = new MemoryStore(),
        ?int $maxBody = null,
        ?string $tokenParam = null,
        ?int $leaseMs = null,
        ?int $waitMs = null,
        ?int $pollMs = null,
    ) {
        $defaults = Native::webhookDefaults();
        $this->leaseMs = $leaseMs ?? $defaults['unrenewed_lease_ms'];
        $this->waitMs = $waitMs ?? $defaults['wait_ms'];
        $this->pollMs = $pollMs ?? $defaults['poll_ms'];
        if ($this->leaseMs < $defaults['min_lease_ms'] || $this->leaseMs > $defaults['max_lease_ms']) {
            throw new Exception('validation', "lease_ms: is {$this->leaseMs}; it must be {$defaults['min_lease_ms']} to {$defaults['max_lease_ms']}", null, 0, 'lease_ms');
        }
        if ($this->waitMs < 0 || $this->waitMs > $defaults['max_lease_ms']) {
            throw new Exception('validation', "wait_ms: is {$this->waitMs}; it must be 0 to {$defaults['max_lease_ms']}", null, 0, 'wait_ms');
        }
        if ($this->pollMs < 1 || $this->pollMs > 10_000) {
            throw new Exception('validation', "poll_ms: is {$this->pollMs}; it must be 1 to 10000", null, 0, 'poll_ms');
        }
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
     * Like receive(), but with a LeaseStore the key is claimed under a lease (the Delivery's
     * `owner` is set): complete() once handled (before answering 200), release() on failure
     * (before answering non-200), `$delivery->renew()` during a long handling. A key another
     * worker holds is looked at every `pollMs` for up to `waitMs`: done → a duplicate; free
     * again (released, or its worker died and the lease ran out) → claimed; still held → throws
     * kind `timeout`, status 503, so that the platform sends it again. Other stores: receive().
     *
     * @throws Exception with the status to answer (401, 403, 413, 400, 503)
     */
    public function begin(string $query, string $body): Delivery
    {
        if (!($this->store instanceof LeaseStore)) {
            return $this->receive($query, $body);
        }
        [$key, , $status, $answer, $name, $id, $raw, $json] = Native::webhookReceive($this->native, $query, $body);
        $event = new Event($name, $id, $raw, json_decode($json, true, 512, JSON_THROW_ON_ERROR));
        if ($name === 'ivr_start') {
            return new Delivery($event, $key, false, $status, $answer);
        }
        $owner = Native::webhookDefaults()['pending_prefix'] . bin2hex(random_bytes(16));
        $started = hrtime(true);
        while (true) {
            try {
                $claim = $this->store->claimLease($key, $owner, $this->leaseMs);
            } catch (\Throwable $e) {
                throw self::storeFailed($e);
            }
            if ($claim === 'claimed') {
                return new Delivery($event, $key, false, $status, $answer, $owner, fn (Delivery $d): bool => $this->renew($d));
            }
            if ($claim === 'done') {
                return new Delivery($event, $key, true, $status, $answer);
            }
            if ($claim !== 'pending') {
                throw self::storeFailed(new \UnexpectedValueException("claimLease() returned '$claim', not 'claimed', 'pending' or 'done'"));
            }
            $waited = intdiv(hrtime(true) - $started, 1_000_000);
            if ($waited >= $this->waitMs) {
                throw new Exception('timeout', "$key is still being handled by another worker after $waited ms; send it again", null, 503);
            }
            usleep(1000 * min($this->pollMs, $this->waitMs - $waited));
        }
    }

    /**
     * Renews the lease of a delivery begin() claimed; false when it no longer holds the key.
     *
     * @throws Exception kind `transport` (status 503) when the store failed
     */
    public function renew(Delivery $delivery): bool
    {
        if ($delivery->owner === null || !($this->store instanceof LeaseStore)) {
            return true;
        }
        try {
            return $this->store->renew($delivery->key, $delivery->owner, $this->leaseMs);
        } catch (\Throwable $e) {
            throw self::storeFailed($e);
        }
    }

    /**
     * Marks a delivery begin() claimed as done (call it once handled, before answering 200);
     * false when its lease had run out and another worker holds the key.
     *
     * @throws Exception kind `transport` (status 503) when the store failed
     */
    public function complete(Delivery $delivery): bool
    {
        if ($delivery->owner === null || !($this->store instanceof LeaseStore)) {
            return true;
        }
        try {
            return $this->store->complete($delivery->key, $delivery->owner);
        } catch (\Throwable $e) {
            throw self::storeFailed($e);
        }
    }

    /** The lease, the wait and the poll interval, in milliseconds. */
    public function leaseMs(): int
    {
        return $this->leaseMs;
    }

    public function waitMs(): int
    {
        return $this->waitMs;
    }

    public function pollMs(): int
    {
        return $this->pollMs;
    }

    /**
     * Forgets a delivery in the store, so that the platform's re-send is handled as new: call
     * it when handling failed, then answer a status other than 200. A delivery begin() claimed
     * is forgotten only while this handler holds its key.
     *
     * @throws Exception kind `transport` (status 503) when the store failed
     */
    public function release(Delivery|string $delivery): void
    {
        if ($delivery instanceof Delivery && $delivery->owner !== null && $this->store instanceof LeaseStore) {
            try {
                $this->store->releaseOwned($delivery->key, $delivery->owner);
            } catch (\Throwable $e) {
                throw self::storeFailed($e);
            }
            return;
        }
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
     * every language, and the lease protocol's times (`lease_ms`, `wait_ms`, `poll_ms`,
     * `unrenewed_lease_ms`, `min_lease_ms`, `max_lease_ms`) and texts (`claim_script`,
     * `renew_script`, `complete_script`, `release_script`, `pending_prefix`, `done_value`):
     * core's constants.
     *
     * @return array<string, string|int>
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
