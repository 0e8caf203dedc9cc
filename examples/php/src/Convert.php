<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * PHP values to the C API's argument types. Only conversion: the platform's rules are checked
 * by the library when a request is sent.
 *
 * @internal
 */
final class Convert
{
    private static function invalid(string $field, string $why): Exception
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

    /** A string option as a C string argument. */
    public static function cstr(mixed $value, string $field): string
    {
        return Ffi::str(self::str($value, $field), $field);
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

    /** Seconds (int or float) as whole milliseconds, at least 0. */
    public static function millis(mixed $value, string $field): int
    {
        if ((!is_int($value) && !is_float($value)) || $value < 0 || !is_finite((float) $value)) {
            throw self::invalid($field, 'must be a number of seconds, not ' . var_export($value, true));
        }
        return (int) round($value * 1000);
    }

    /**
     * `play_content` as a list of [content, type] pairs.
     *
     * @return list<array{0: string, 1: int}>
     */
    public static function playItems(mixed $items): array
    {
        if (!is_array($items)) {
            throw self::invalid('play_content', 'must be a list of [content, type] pairs');
        }
        $out = [];
        foreach (array_values($items) as $i => $item) {
            $field = "play_content[$i]";
            if (!is_array($item) || count($item) < 2) {
                throw self::invalid($field, 'must be a [content, type] pair');
            }
            $item = array_values($item);
            $out[] = [self::cstr($item[0], $field), self::int($item[1], $field)];
        }
        return $out;
    }

    public static function unknown(string|int $name, array $known): Exception
    {
        return self::invalid((string) $name, 'is not an option; expected one of ' . implode(', ', $known));
    }
}
