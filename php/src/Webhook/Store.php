<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

/**
 * Where a Receiver remembers the deliveries it has seen, shared by the processes that use the
 * same store: MemoryStore (core's, in this process; the default) or RedisStore (every process
 * and machine that reaches one Redis). An application may write its own.
 *
 * `claim()` is an atomic set-if-absent with expiry: true when the key was not there (this
 * delivery is the first), false when it was (the platform sent it again). `release()` forgets a
 * key, so that the platform's next re-send is handled as new. Both throw when the store cannot
 * be reached; the Receiver turns that into a `transport` error answered 503, so that the
 * platform tries again.
 */
interface Store
{
    /** Marks `$key` as seen; true when it was not seen before (or its time ran out). */
    public function claim(string $key): bool;

    /** Forgets `$key`. */
    public function release(string $key): void;
}
