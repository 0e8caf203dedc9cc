<?php
// A minimal test harness: check() counts, finish() prints the totals and sets the exit code.

declare(strict_types=1);

require_once dirname(__DIR__) . '/yunhuni.php';

$GLOBALS['t_passed'] = 0;
$GLOBALS['t_failed'] = 0;

// scripts/test-php runs the suite on each way of reaching libyunhuni and says which it expects.
$expectBackend = getenv('YUNHUNI_EXPECT_BACKEND');
if (is_string($expectBackend) && $expectBackend !== '' && Yunhuni\backend() !== $expectBackend) {
    echo "FAIL the library runs on $expectBackend, but on " . Yunhuni\backend() . "\n";
    $GLOBALS['t_failed']++;
}

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

/**
 * Starts request_stub.php under PHP's built-in server on a free loopback port, logging to `$log`.
 *
 * @return array{0: resource, 1: string} the process and its base URL
 */
function start_request_stub(string $log, string $serverLog): array
{
    $probe = stream_socket_server('tcp://127.0.0.1:0');
    $port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
    fclose($probe);
    $env = getenv();
    $env['YUNHUNI_STUB_LOG'] = $log;
    $proc = proc_open(
        [PHP_BINARY, '-d', 'display_errors=stderr', '-S', "127.0.0.1:$port", __DIR__ . '/request_stub.php'],
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', $serverLog, 'a'], 2 => ['file', $serverLog, 'a']],
        $pipes,
        __DIR__,
        $env,
    );
    if ($proc === false) {
        throw new RuntimeException('cannot start PHP\'s built-in server');
    }
    $up = wait_for(function () use ($port, $proc) {
        if (!proc_get_status($proc)['running']) {
            return false;
        }
        $s = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 1);
        if ($s === false) {
            return null;
        }
        fclose($s);
        return true;
    }, 10);
    if ($up !== true) {
        proc_terminate($proc);
        proc_close($proc);
        throw new RuntimeException("the stub server did not start: " . (string) @file_get_contents($serverLog));
    }
    return [$proc, "http://127.0.0.1:$port"];
}

/** The requests the stub recorded: [method, path, query, body] each. */
function stub_requests(string $log): array
{
    $lines = array_filter(explode("\n", (string) file_get_contents($log)), fn ($l) => $l !== '');
    return array_values(array_map(function ($l) {
        [$method, $path, $query, $body] = explode(' ', $l, 4) + ['', '', '', ''];
        return [$method, (string) hex2bin($path), (string) hex2bin($query), (string) hex2bin($body)];
    }, $lines));
}
