<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * PHP values to the C API's argument types, one conversion per type. Only conversion: the
 * platform's rules are checked by the library.
 *
 * @internal
 */
final class Convert
{
    public static function invalid(string $field, string $why): Exception
    {
        return new Exception('validation', "$field: $why", null, 0, $field, 1);
    }

    /** A string option (ints and floats are accepted as their decimal text). */
    public static function str(mixed $value, string $field): string
    {
        if (is_string($value)) {
            return $value;
        }
        if (is_int($value) || is_float($value)) {
            return (string) $value;
        }
        throw self::invalid($field, 'must be a string, not ' . get_debug_type($value));
    }

    /** An integer option: an int, or a string of decimal digits such as '30'. */
    public static function int(mixed $value, string $field): int
    {
        if (is_int($value)) {
            return $value;
        }
        if (is_string($value) && preg_match('/^\s*[-+]?\d{1,18}\s*$/', $value) === 1) {
            return (int) trim($value);
        }
        throw self::invalid($field, 'must be an integer, not ' . get_debug_type($value));
    }

    /** A boolean option: true/false, 0/1, or '0'/'1'. */
    public static function bool(mixed $value, string $field): bool
    {
        return match (true) {
            is_bool($value) => $value,
            $value === 0, $value === '0' => false,
            $value === 1, $value === '1' => true,
            default => throw self::invalid($field, 'must be a boolean (or 0/1), not ' . var_export($value, true)),
        };
    }

    /**
     * Seconds (int or float) as whole milliseconds for the library, which checks the range (above
     * 0, at most 24 hours) and names the field: a fraction of a millisecond counts as one, and a
     * value too large for a PHP int is given as PHP_INT_MAX (casting it would wrap around).
     */
    public static function millis(mixed $value, string $field): int
    {
        if ((!is_int($value) && !is_float($value)) || $value < 0 || !is_finite((float) $value)) {
            throw self::invalid($field, 'must be a number of seconds, not ' . var_export($value, true));
        }
        $millis = ceil($value * 1000.0);
        return $millis >= (float) PHP_INT_MAX ? PHP_INT_MAX : (int) $millis;
    }

    /** A count for an unsigned 32-bit setting (connect_retries), refused outside 0..4294967295. */
    public static function u32(mixed $value, string $field): int
    {
        $int = self::int($value, $field);
        if ($int < 0 || $int > 0xFFFFFFFF) {
            throw self::invalid($field, "must be between 0 and 4294967295, not $int");
        }
        return $int;
    }

    /**
     * A count that cannot be negative (max_idle_connections); the library refuses one it does
     * not take (above 65536), naming the field.
     */
    public static function count(mixed $value, string $field): int
    {
        $int = self::int($value, $field);
        if ($int < 0) {
            throw self::invalid($field, "must be 0 or more, not $int");
        }
        return $int;
    }

    /** A value as JSON text for the library (arrays, floats, objects), refused if it has none. */
    public static function json(mixed $value, string $field): string
    {
        try {
            return json_encode($value, JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
        } catch (\JsonException $e) {
            throw self::invalid($field, 'cannot be sent as JSON: ' . $e->getMessage());
        }
    }

    public static function unknown(string|int $name, array $known): Exception
    {
        return self::invalid((string) $name, 'is not an option; expected one of ' . implode(', ', $known));
    }
}
