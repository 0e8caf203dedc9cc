<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * Loads libyunhuni through PHP's FFI and turns its results into PHP values and exceptions.
 *
 * The library is found at the path in the environment variable YUNHUNI_LIB, else in this
 * checkout's target/release or target/debug, else by the system's loader (libyunhuni.so on the
 * library path). The declarations are read from YUNHUNI_HEADER, else this checkout's
 * include/yunhuni.h, else /usr/local/include or /usr/include.
 *
 * @internal Used by the classes of this library; not part of its API.
 */
final class Ffi
{
    private static ?\FFI $ffi = null;

    public static function get(): \FFI
    {
        if (self::$ffi === null) {
            self::$ffi = \FFI::cdef(self::declarations(self::header()), self::library());
        }
        return self::$ffi;
    }

    private static function library(): string
    {
        $env = getenv('YUNHUNI_LIB');
        if ($env !== false && $env !== '') {
            return $env;
        }
        $root = dirname(__DIR__, 3);
        foreach (['release', 'debug'] as $profile) {
            $path = "$root/target/$profile/libyunhuni.so";
            if (is_file($path)) {
                return $path;
            }
        }
        return 'libyunhuni.so';
    }

    private static function header(): string
    {
        $env = getenv('YUNHUNI_HEADER');
        $candidates = ($env !== false && $env !== '') ? [$env] : [];
        $candidates[] = dirname(__DIR__, 3) . '/include/yunhuni.h';
        $candidates[] = '/usr/local/include/yunhuni.h';
        $candidates[] = '/usr/include/yunhuni.h';
        foreach ($candidates as $path) {
            if (is_file($path)) {
                return $path;
            }
        }
        throw new \RuntimeException('yunhuni.h not found; set YUNHUNI_HEADER to its path');
    }

    /** The header without preprocessor lines, which PHP's FFI parser does not accept. */
    private static function declarations(string $path): string
    {
        $text = (string) file_get_contents($path);
        $text = (string) preg_replace('/^#ifdef __cplusplus.*?^#endif.*?$/ms', '', $text);
        return (string) preg_replace('/^\s*#.*$/m', '', $text);
    }

    /**
     * A PHP string as a C string argument: C strings end at the first NUL byte, so a string
     * containing one is refused rather than cut short. Invalid UTF-8 is left to the library.
     */
    public static function str(string $value, string $field): string
    {
        if (str_contains($value, "\0")) {
            throw new Exception('validation', "$field: must not contain NUL bytes", null, 0, $field, Ffi::get()->YH_ERR_VALIDATION);
        }
        return $value;
    }

    /** A copy of `$bytes` in C memory, for `const uint8_t *` arguments. */
    public static function bytes(string $bytes): \FFI\CData
    {
        $len = strlen($bytes);
        $buf = self::get()->new('uint8_t[' . max(1, $len) . ']');
        if ($len > 0) {
            \FFI::memcpy($buf, $bytes, $len);
        }
        return $buf;
    }

    /** A new NULL pointer of `$type` to pass by address as an out parameter. */
    public static function out(string $type): \FFI\CData
    {
        return self::get()->new($type);
    }

    /**
     * Throws the error a failed call returned (and frees it); returns on YH_OK.
     *
     * @param int $result the `yh_result` of the call
     * @param \FFI\CData $err the `yh_error *` the call wrote to
     */
    public static function check(int $result, \FFI\CData $err): void
    {
        if ($result === 0) {
            return;
        }
        throw Exception::fromError($result, $err);
    }
}
