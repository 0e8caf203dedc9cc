<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

/**
 * Core's in-process store (the default of a Receiver): the keys are kept inside libyunhuni,
 * in the Receiver's own memory, bounded in entries (`$capacity`, default 100,000; claiming one
 * more forgets the oldest) and in time (`$ttlMs`, default one hour, the platform's re-sends all
 * come within about a minute).
 *
 * It lives as long as its Receiver. Under PHP-FPM, Apache or `php -S`, PHP forgets every object
 * at the end of each request, so a Receiver made per request remembers only that request; use
 * a RedisStore there (it is shared by the workers, the processes and the machines), or keep the
 * Receiver for the life of a long-running PHP process.
 */
final class MemoryStore
{
    /**
     * @param int|null $capacity most keys held, 1 or more (null: core's default, 100,000)
     * @param int|null $ttlMs milliseconds a key is remembered (null: core's default, one hour)
     */
    public function __construct(
        public readonly ?int $capacity = null,
        public readonly ?int $ttlMs = null,
    ) {
    }
}
