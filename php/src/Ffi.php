<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * Loads libyunhuni through PHP's FFI and turns its results into PHP values and exceptions.
 *
 * The C library is, in this order:
 *
 * 1. the one configured: the path given to Yunhuni\use_library(), else the environment variable
 *    YUNHUNI_LIB (a path, or a file name for the system's loader); nothing else is tried then;
 * 2. in a checkout of the repository, its build: target/release/libyunhuni.so, then target/debug;
 * 3. the installed library, by its SONAME (libyunhuni.so.0 for 0.x): the system's loader finds it
 *    in its cache (ldconfig), the standard folders or LD_LIBRARY_PATH, so a runtime-only install,
 *    without the libyunhuni.so development link, is enough; then libyunhuni.so.
 *
 * The declarations are read from the header given to use_library(), else YUNHUNI_HEADER, else
 * the package's own include/yunhuni.h (in the packages scripts/dist builds), this checkout's
 * include/yunhuni.h, the include/ folder next to a configured library's lib/ folder,
 * /usr/local/include or /usr/include. The library must have the header's major and minor version.
 *
 * @internal Used by the classes of this library; not part of its API.
 */
final class Ffi
{
    private static ?\FFI $ffi = null;
    /** What the library was loaded from: a path, or the file name the loader resolved. */
    private static ?string $loaded = null;
    /** Set by Yunhuni\use_library(). */
    private static ?string $library = null;
    private static ?string $libraryHeader = null;

    public static function get(): \FFI
    {
        if (self::$ffi === null) {
            self::load();
        }
        return self::$ffi;
    }

    /** Chooses the library (and its header) for the first use: Yunhuni\use_library(). */
    public static function configure(string $library, ?string $header): void
    {
        if (self::$ffi !== null) {
            if ($library === self::$loaded && ($header === null || $header === self::$libraryHeader)) {
                return;
            }
            throw new \LogicException("Yunhuni\\use_library('$library'): libyunhuni is already loaded from "
                . self::$loaded . '; call use_library() before the first use of the library');
        }
        if ($library === '') {
            throw new \InvalidArgumentException('Yunhuni\use_library(): the library path is empty');
        }
        if (str_contains($library, '/') && !is_file($library)) {
            throw new \InvalidArgumentException("Yunhuni\\use_library('$library'): no such file");
        }
        if ($header !== null && !is_file($header)) {
            throw new \InvalidArgumentException("Yunhuni\\use_library(): the header '$header' is not a file");
        }
        self::$library = $library;
        self::$libraryHeader = $header;
    }

    private static function load(): void
    {
        [$configured, $source] = self::configured();
        $header = self::header($configured);
        $text = (string) file_get_contents($header);
        $declarations = self::declarations($text);
        $want = preg_match('/^#define YUNHUNI_VERSION "([^"]*)"/m', $text, $m) === 1 ? $m[1] : null;
        $major = preg_match('/^#define YUNHUNI_VERSION_MAJOR (\d+)/m', $text, $m) === 1 ? $m[1] : null;

        $tried = [];
        $found = null;
        if ($configured !== null) {
            if (str_contains($configured, '/') && !is_file($configured)) {
                throw new \RuntimeException("libyunhuni: $source names '$configured', which is not a file");
            }
            try {
                $found = [\FFI::cdef($declarations, $configured), $configured];
            } catch (\FFI\Exception $e) {
                throw new \RuntimeException("libyunhuni: $source names '$configured', which PHP's FFI cannot load"
                    . " with the declarations of $header: {$e->getMessage()}", 0, $e);
            }
        }
        $root = dirname(__DIR__, 2);
        foreach ($found === null ? ['release', 'debug'] : [] as $profile) {
            $path = "$root/target/$profile/libyunhuni.so";
            if (is_file($path)) {
                try {
                    $found = [\FFI::cdef($declarations, $path), $path];
                } catch (\FFI\Exception $e) {
                    throw new \RuntimeException("libyunhuni: this checkout's $path cannot be loaded with the"
                        . " declarations of $header: {$e->getMessage()}", 0, $e);
                }
                break;
            }
        }
        $names = $major === null ? ['libyunhuni.so'] : ["libyunhuni.so.$major", 'libyunhuni.so'];
        foreach ($found === null ? $names : [] as $name) {
            try {
                $found = [\FFI::cdef($declarations, $name), $name];
                break;
            } catch (\FFI\Exception $e) {
                $tried[] = $e->getMessage();
            }
        }
        if ($found === null) {
            throw new \RuntimeException('libyunhuni not found: neither Yunhuni\\use_library() nor YUNHUNI_LIB names'
                . " it, and the system's loader found no " . implode(' or ', $names) . ' (' . implode('; ', $tried)
                . '). Install the C library (its lib/ folder in the loader\'s cache after ldconfig, or on'
                . " LD_LIBRARY_PATH), or name it: YUNHUNI_LIB=/path/to/$names[0]"
                . " or Yunhuni\\use_library('/path/to/$names[0]')");
        }
        [$ffi, $from] = $found;
        $have = (string) $ffi->yh_version();
        if ($want !== null && self::minor($have) !== self::minor($want)) {
            throw new \RuntimeException("libyunhuni: the library loaded from $from is version $have, but $header"
                . " declares version $want; use a library and header of the same version (major.minor)");
        }
        self::$ffi = $ffi;
        self::$loaded = $from;
    }

    /** @return array{0: ?string, 1: string} the configured library and who configured it */
    private static function configured(): array
    {
        if (self::$library !== null) {
            return [self::$library, 'Yunhuni\use_library()'];
        }
        $env = getenv('YUNHUNI_LIB');
        return [($env !== false && $env !== '') ? $env : null, 'YUNHUNI_LIB'];
    }

    private static function minor(string $version): string
    {
        return implode('.', array_slice(explode('.', $version), 0, 2));
    }

    private static function header(?string $library): string
    {
        if (self::$libraryHeader !== null) {
            return self::$libraryHeader;
        }
        $env = getenv('YUNHUNI_HEADER');
        if ($env !== false && $env !== '') {
            if (!is_file($env)) {
                throw new \RuntimeException("libyunhuni: YUNHUNI_HEADER names '$env', which is not a file");
            }
            return $env;
        }
        $candidates = [dirname(__DIR__) . '/include/yunhuni.h', dirname(__DIR__, 2) . '/include/yunhuni.h'];
        if ($library !== null && str_contains($library, '/')) {
            $candidates[] = dirname($library, 2) . '/include/yunhuni.h';
        }
        $candidates[] = '/usr/local/include/yunhuni.h';
        $candidates[] = '/usr/include/yunhuni.h';
        foreach ($candidates as $path) {
            if (is_file($path)) {
                return $path;
            }
        }
        throw new \RuntimeException('yunhuni.h not found (looked at ' . implode(', ', $candidates)
            . '); set YUNHUNI_HEADER to its path');
    }

    /** The header without preprocessor lines, which PHP's FFI parser does not accept. */
    private static function declarations(string $text): string
    {
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
