<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

/**
 * A Store that takes part in core's lease protocol (Receiver::begin(), what the helpers use): a
 * key is absent, pending (held by one handler: its value is the owner, `p:<random>`, for a
 * lease) or done (handled: `d`, for the store's time to live). RedisStore is one; it runs core's
 * Redis scripts (Receiver::defaults(): `claim_script`, `renew_script`, `complete_script`,
 * `release_script`), the same in every language of the SDK.
 *
 * A Store without these methods still works: its claim() marks a key done at once, so a worker
 * that dies while it handles an event loses that event (the platform's re-send is a duplicate).
 */
interface LeaseStore extends Store
{
    /**
     * Claims `$key` for `$owner` for `$leaseMs` when it is absent: 'claimed'; else 'pending'
     * (another owner holds it) or 'done'. Atomic.
     */
    public function claimLease(string $key, string $owner, int $leaseMs): string;

    /** Extends `$owner`'s lease on `$key` to `$leaseMs` from now; false when it does not hold it. */
    public function renew(string $key, string $owner, int $leaseMs): bool;

    /** Marks `$key` done when `$owner` holds it or nobody does; false when another owner does. */
    public function complete(string $key, string $owner): bool;

    /** Forgets `$key` when `$owner` holds it; false otherwise. */
    public function releaseOwned(string $key, string $owner): bool;
}
