<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

use Yunhuni\Event;

/**
 * What Receiver::begin() or Receiver::receive() makes of one POST: the event and the answer to
 * send. After begin(), call Receiver::complete() once the event is handled (before answering
 * 200), and renew() during a long handling.
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
        /**
         * The lease's owner when Receiver::begin() claimed this delivery (this handler holds its
         * key); null otherwise.
         */
        public readonly ?string $owner = null,
        private readonly ?\Closure $renewer = null,
    ) {
    }

    /**
     * Renews this handler's lease on the key (PHP has no thread or timer to do it while the
     * handler runs): a handler that may run longer than a third of the receiver's lease calls
     * it every so often. False when the lease had run out and another handler holds the key
     * (stop: the event is being handled elsewhere); true when there is no lease to renew.
     *
     * @throws \Yunhuni\Exception kind `transport` (status 503) when the store failed
     */
    public function renew(): bool
    {
        return $this->renewer === null || ($this->renewer)($this);
    }
}
