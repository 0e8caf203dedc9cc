<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

use Yunhuni\Ffi;

/**
 * A `yh_webhook_receiver *` made through PHP's FFI, freed with its last reference (the FFI
 * counterpart of the extension's Yunhuni\Ext\Receiver).
 *
 * @internal
 */
final class FfiReceiver
{
    public function __construct(public readonly \FFI\CData $pointer)
    {
    }

    public function __destruct()
    {
        Ffi::get()->yh_webhook_receiver_free($this->pointer);
    }

    public function __clone()
    {
        throw new \LogicException('a receiver handle cannot be cloned');
    }
}
