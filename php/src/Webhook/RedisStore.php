<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

use Yunhuni\Native;

/**
 * A Store in Redis, shared by every process and machine of an application that reaches the same
 * Redis. Under a lease (Receiver::begin(), what the helpers use) it runs core's Lua scripts
 * (EVALSHA, EVAL when Redis does not have them yet) to claim, renew, complete and release a key,
 * checking its owner: a pending key's value is `p:<owner>`, a done one's `d`. For
 * Receiver::receive(), `SET <prefix><key> 1 NX PX <ttl>` claims a delivery (atomic
 * set-if-absent with expiry) and `DEL <prefix><key>` releases it. The prefix (`yunhuni:webhook:`) and the default time to live
 * (one hour) are core's, the same in every language of the SDK, so that receivers written in
 * different languages share what they have seen.
 *
 * The client is the application's own: phpredis (`new \Redis()`, the PHP extension redis) or
 * Predis (`new \Predis\Client(...)`), connected as the application chooses.
 *
 *     $store = new Yunhuni\Webhook\RedisStore(new Predis\Client('tcp://127.0.0.1:6379'));
 *     $receiver = new Yunhuni\Webhook\Receiver(token: getenv('WEBHOOK_TOKEN'), store: $store);
 *
 * A failure of Redis is thrown (phpredis' \RedisException, Predis' exceptions); the Receiver
 * answers it 503 so that the platform sends the event again.
 */
final class RedisStore implements LeaseStore
{
    private readonly string $prefix;
    private readonly int $ttlMs;
    /** @var array<string, string> core's scripts by name (claim, renew, complete, release) */
    private readonly array $scripts;

    /**
     * @param \Redis|\Predis\ClientInterface $redis a phpredis or Predis client
     * @param int|null $ttlMs milliseconds a key is remembered, 1 or more (null: core's default,
     *                        one hour)
     * @param string|null $prefix what goes before each delivery key (null: core's
     *                            `yunhuni:webhook:`)
     */
    public function __construct(
        private readonly object $redis,
        ?int $ttlMs = null,
        ?string $prefix = null,
    ) {
        if (!($redis instanceof \Redis) && !($redis instanceof \Predis\ClientInterface)) {
            throw new \TypeError('Yunhuni\Webhook\RedisStore: $redis must be a \Redis (phpredis) or a'
                . ' \Predis\ClientInterface (Predis), ' . get_debug_type($redis) . ' given');
        }
        $defaults = Native::webhookDefaults();
        $ttlMs ??= $defaults['ttl_ms'];
        if ($ttlMs < 1) {
            throw new \ValueError("Yunhuni\\Webhook\\RedisStore: ttlMs is $ttlMs; it must be 1 or more");
        }
        $this->ttlMs = $ttlMs;
        $this->prefix = $prefix ?? $defaults['redis_key_prefix'];
        $this->scripts = [
            'claim' => $defaults['claim_script'],
            'renew' => $defaults['renew_script'],
            'complete' => $defaults['complete_script'],
            'release' => $defaults['release_script'],
        ];
    }

    public function claimLease(string $key, string $owner, int $leaseMs): string
    {
        $answer = $this->script('claim', $key, [$owner, $leaseMs]);
        return match ($answer) {
            1 => 'claimed',
            0 => 'pending',
            2 => 'done',
            default => throw new \RuntimeException("Redis claim script answered $answer, not 0, 1 or 2"),
        };
    }

    public function renew(string $key, string $owner, int $leaseMs): bool
    {
        return $this->script('renew', $key, [$owner, $leaseMs]) === 1;
    }

    public function complete(string $key, string $owner): bool
    {
        return $this->script('complete', $key, [$owner, $this->ttlMs]) === 1;
    }

    public function releaseOwned(string $key, string $owner): bool
    {
        return $this->script('release', $key, [$owner]) === 1;
    }

    /**
     * Runs one of core's scripts on `<prefix><key>`: EVALSHA, then EVAL when Redis does not
     * have it. The script's integer answer.
     *
     * @param list<string|int> $args
     */
    private function script(string $name, string $key, array $args): int
    {
        $script = $this->scripts[$name];
        $sha = sha1($script);
        $redisKey = $this->prefix . $key;
        if ($this->redis instanceof \Redis) {
            $this->redis->clearLastError();
            $answer = $this->redis->evalSha($sha, [$redisKey, ...$args], 1);
            if ($answer === false && str_contains((string) $this->redis->getLastError(), 'NOSCRIPT')) {
                $this->redis->clearLastError();
                $answer = $this->redis->eval($script, [$redisKey, ...$args], 1);
            }
            if ($answer === false && ($error = $this->redis->getLastError()) !== null) {
                throw new \RuntimeException("Redis refused the $name script: $error");
            }
        } else {
            try {
                $answer = $this->redis->evalsha($sha, 1, $redisKey, ...$args);
            } catch (\Predis\Response\ServerException $e) {
                if (!str_contains($e->getMessage(), 'NOSCRIPT')) {
                    throw $e;
                }
                $answer = $this->redis->eval($script, 1, $redisKey, ...$args);
            }
        }
        if (!is_int($answer)) {
            throw new \RuntimeException("Redis $name script answered " . get_debug_type($answer) . ', not an integer');
        }
        return $answer;
    }

    public function claim(string $key): bool
    {
        if ($this->redis instanceof \Redis) {
            // phpredis: true when set; false when the key exists, and also when Redis answered
            // an error (out of memory, a read-only replica, ...), which getLastError() tells.
            $this->redis->clearLastError();
            $set = $this->redis->set($this->prefix . $key, '1', ['nx', 'px' => $this->ttlMs]);
            if ($set === false && ($error = $this->redis->getLastError()) !== null) {
                throw new \RuntimeException("Redis refused SET NX PX: $error");
            }
            if ($set !== true && $set !== false) {
                throw new \RuntimeException('Redis SET NX PX answered ' . get_debug_type($set));
            }
            return $set;
        }
        // Predis: a Status "OK" when set, null when the key exists.
        return $this->redis->set($this->prefix . $key, '1', 'PX', $this->ttlMs, 'NX') !== null;
    }

    public function release(string $key): void
    {
        if ($this->redis instanceof \Redis) {
            $this->redis->clearLastError();
            if ($this->redis->del($this->prefix . $key) === false && ($error = $this->redis->getLastError()) !== null) {
                throw new \RuntimeException("Redis refused DEL: $error");
            }
            return;
        }
        $this->redis->del($this->prefix . $key);
    }

    /** The Redis key of a delivery key. */
    public function redisKey(string $key): string
    {
        return $this->prefix . $key;
    }

    public function ttlMs(): int
    {
        return $this->ttlMs;
    }
}
