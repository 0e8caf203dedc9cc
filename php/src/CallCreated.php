<?php

declare(strict_types=1);

namespace Yunhuni;

/** A call the platform accepted. */
final class CallCreated
{
    public function __construct(
        /** The platform's id for the call (32 lowercase hex characters); events carry it as `id`. */
        public readonly string $callId,
        /** The `user_data` echoed back; null when none was given, and always for verifyCall. */
        public readonly ?string $userData,
    ) {
    }
}
