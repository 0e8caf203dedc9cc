<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * An error from the SDK: validation, the HTTP exchange with the platform, or parsing.
 *
 * - `kind` (getKind()): `validation`, `api`, `auth`, `http`, `timeout`, `transport` or `decode`,
 *   the same strings in every language of the SDK.
 * - `platformCode` (getPlatformCode()): the platform's six-digit code such as `020000`, for
 *   `api` errors; null otherwise.
 * - `platformMessage`: the server's own `msg` text for `api` errors, exactly as received.
 * - `status` (getStatus()): the HTTP status the server answered with, 0 if none; for a webhook
 *   delivery refused by Yunhuni\Webhook\Receiver, the status to answer it with.
 * - `field` (getField()): the request field or argument at fault, for `validation` errors.
 * - `maybeSent` (maybeSent()): for `transport` and `timeout` errors, true when bytes of the
 *   request were written before the failure, so the platform may have received it and acted on
 *   it (placed the call). Do not simply send it again, or a person may be called twice: check
 *   the call's events (or query it) first. The library never sends it again itself. False when
 *   the request certainly did not leave (connection refused, host not found) and for other kinds.
 * - getCode() is the C library's result code (`YH_ERR_API` = 2, ...), getMessage() a readable
 *   English description. No message ever contains a secret key.
 */
class Exception extends \RuntimeException
{
    public function __construct(
        public readonly string $kind,
        string $message,
        public readonly ?string $platformCode = null,
        public readonly int $status = 0,
        public readonly ?string $field = null,
        int $result = 0,
        public readonly ?string $platformMessage = null,
        public readonly bool $maybeSent = false,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, $result, $previous);
    }

    /** @internal Builds the exception from a `yh_error *` and frees it. */
    public static function fromError(int $result, \FFI\CData $err): self
    {
        $ffi = Ffi::get();
        if (\FFI::isNull($err)) {
            return new self('panic', "the yunhuni library failed with code $result", null, 0, null, $result);
        }
        try {
            return new self(
                (string) $ffi->yh_error_kind($err),
                (string) $ffi->yh_error_message($err),
                $ffi->yh_error_code($err),
                (int) $ffi->yh_error_status($err),
                $ffi->yh_error_field($err),
                $result,
                $ffi->yh_error_platform_message($err),
                (bool) $ffi->yh_error_maybe_sent($err),
            );
        } finally {
            $ffi->yh_error_free($err);
        }
    }

    public function getKind(): string
    {
        return $this->kind;
    }

    public function getPlatformCode(): ?string
    {
        return $this->platformCode;
    }

    public function getStatus(): int
    {
        return $this->status;
    }

    public function getField(): ?string
    {
        return $this->field;
    }

    /** See `maybeSent`: the request may have reached the platform; do not simply retry it. */
    public function maybeSent(): bool
    {
        return $this->maybeSent;
    }
}
