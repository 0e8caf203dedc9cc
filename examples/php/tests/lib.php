<?php
// A minimal test harness: check() counts, finish() prints the totals and sets the exit code.

declare(strict_types=1);

require_once dirname(__DIR__) . '/yunhuni.php';

$GLOBALS['t_passed'] = 0;
$GLOBALS['t_failed'] = 0;

function check(bool $ok, string $what): bool
{
    if ($ok) {
        $GLOBALS['t_passed']++;
    } else {
        $GLOBALS['t_failed']++;
        echo "FAIL $what\n";
    }
    return $ok;
}

/** Runs `$body`, which must throw a Yunhuni\Exception; returns it (or null). */
function expect_exception(callable $body, string $what): ?Yunhuni\Exception
{
    try {
        $body();
    } catch (Yunhuni\Exception $e) {
        check(true, $what);
        return $e;
    }
    check(false, "$what: no exception");
    return null;
}

/** Prints PASS/FAIL for a group of checks. */
function group(string $name, callable $body): void
{
    $before = $GLOBALS['t_failed'];
    try {
        $body();
    } catch (Throwable $e) {
        check(false, "$name: unexpected " . get_class($e) . ': ' . $e->getMessage());
    }
    echo ($GLOBALS['t_failed'] === $before ? 'PASS' : 'FAIL') . " $name\n";
}

function finish(string $program): never
{
    printf("# %s: %d checks passed, %d failed\n", $program, $GLOBALS['t_passed'], $GLOBALS['t_failed']);
    printf("# checks: %d passed, %d failed\n", $GLOBALS['t_passed'], $GLOBALS['t_failed']);
    exit($GLOBALS['t_failed'] === 0 ? 0 : 1);
}

function env(string $name): string
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        fwrite(STDERR, "$name is not set\n");
        exit(2);
    }
    return $value;
}

/** Waits until `$probe` returns a non-null value, or `$seconds` pass. */
function wait_for(callable $probe, float $seconds): mixed
{
    $deadline = microtime(true) + $seconds;
    do {
        $value = $probe();
        if ($value !== null) {
            return $value;
        }
        usleep(50_000);
    } while (microtime(true) < $deadline);
    return null;
}

/** The lines of the webhook log that mention `$needle`. */
function log_lines(string $needle): array
{
    $log = (string) @file_get_contents(env('YUNHUNI_WEBHOOK_LOG'));
    return array_values(array_filter(explode("\n", $log), fn ($l) => $needle !== '' && str_contains($l, $needle)));
}
