<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * A `yh_client *` made through PHP's FFI, with the log callable of its client; freed with its
 * last reference (the FFI counterpart of the extension's Yunhuni\Ext\Client).
 *
 * @internal
 */
final class FfiClient
{
    public function __construct(
        public readonly \FFI\CData $pointer,
        public readonly ?\Closure $log,
    ) {
    }

    public function __destruct()
    {
        Ffi::get()->yh_client_free($this->pointer);
    }

    public function __clone()
    {
        throw new \LogicException('a client handle cannot be cloned');
    }
}
