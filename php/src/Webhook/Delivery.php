<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

use Yunhuni\Event;

/**
 * What Receiver::receive() makes of one POST: the event and the answer to send.
 *
 * Answer `$status` with `$body` (text/plain) once the event is handled, duplicates too (so the
 * platform stops re-sending). When the handling fails, call Receiver::release() and answer any
 * other status: the platform sends the same bytes again (up to 4 attempts in all), and the
 * re-send is handled as new. The helpers (serve(), Psr15\Middleware, Psr15\RequestHandler) do
 * both.
 *
 * An `ivr_start` (the platform's IVR request to the same URL) is never claimed in the store and
 * never a duplicate: its answer is the application's IVR document, not `$body`.
 */
final class Delivery
{
    public function __construct(
        /** The event, typed as core declares it (Yunhuni\Event: name, id, canonical view). */
        public readonly Event $event,
        /** What identifies this delivery in the store: `<event>:<id>:<digest of the body>`. */
        public readonly string $key,
        /** True when the key was seen before: the platform sent the event again. */
        public readonly bool $duplicate,
        /** The HTTP status to answer (200). */
        public readonly int $status,
        /** The body to answer, as text/plain. */
        public readonly string $body,
    ) {
    }
}
