<?php
// How the library finds libyunhuni and yunhuni.h, each case in a child PHP process (PHP loads the
// C library once per process): an installed package (a copy of src/ and the loader with its own
// include/yunhuni.h, outside any checkout) finds a runtime-only install (libyunhuni.so.0 and no
// libyunhuni.so) through the system's loader; YUNHUNI_LIB and Yunhuni\use_library() name a
// library, and what they name is used or refused by name; a checkout finds its own build; the
// header next to a configured library's lib/ folder is read; a header of another version is
// refused; with nothing to load, the error says what to install or set.
//
//   YUNHUNI_LIB=target/release/libyunhuni.so YUNHUNI_HEADER=include/yunhuni.h php -d ffi.enable=1 library_test.php

declare(strict_types=1);

require_once __DIR__ . '/lib.php';

$built = (string) realpath(env('YUNHUNI_LIB'));
$header = (string) realpath(env('YUNHUNI_HEADER'));
$version = Yunhuni\version();
$major = explode('.', $version)[0];

// The places: an installed package, a runtime-only library folder, a prefix with lib/ and include/.
$tmp = sys_get_temp_dir() . '/yunhuni-library-test-' . getmypid();
$pkg = "$tmp/pkgs/installed";
$bare = "$tmp/pkgs/bare";                // an installed package without its own header
$runtime = "$tmp/runtime/lib";
$prefix = "$tmp/prefix";
foreach (["$pkg/src", "$pkg/include", "$bare/src", $runtime, "$prefix/lib", "$prefix/include"] as $dir) {
    mkdir($dir, 0777, true);
}
foreach ([$pkg, $bare] as $p) {
    copy(dirname(__DIR__) . '/yunhuni.php', "$p/yunhuni.php");
    foreach (glob(dirname(__DIR__) . '/src/{,*/}*.php', GLOB_BRACE) as $f) {
        $rel = substr($f, strlen(dirname(__DIR__) . '/src/'));
        @mkdir(dirname("$p/src/$rel"), 0777, true);
        copy($f, "$p/src/$rel");
    }
}
copy($header, "$pkg/include/yunhuni.h");
copy($built, "$runtime/libyunhuni.so.$version");
symlink("libyunhuni.so.$version", "$runtime/libyunhuni.so.$major");
copy($built, "$prefix/lib/libyunhuni.so.$version");
symlink("libyunhuni.so.$version", "$prefix/lib/libyunhuni.so.$major");
// The prefix's header says another minor version, so that reading it shows in the error.
$other = "0." . ((int) explode('.', $version)[1] + 7) . ".0";
file_put_contents("$prefix/include/yunhuni.h", (string) preg_replace(
    ['/^#define YUNHUNI_VERSION "[^"]*"/m', '/^#define YUNHUNI_VERSION_MINOR \d+/m'],
    ["#define YUNHUNI_VERSION \"$other\"", '#define YUNHUNI_VERSION_MINOR ' . explode('.', $other)[1]],
    (string) file_get_contents($header),
));

/**
 * Runs `$code` in a child PHP process after requiring `$loader`, with the environment of this
 * process minus the library's variables, plus `$env`. Returns [exit status, stdout + stderr].
 */
function child(string $loader, string $code, array $env = []): array
{
    $base = getenv();
    unset($base['YUNHUNI_LIB'], $base['YUNHUNI_HEADER'], $base['LD_LIBRARY_PATH']);
    $script = 'require ' . var_export($loader, true) . ';'
        . 'function maps(): string { $p = []; foreach (file("/proc/self/maps") as $l) {'
        . ' if (str_contains($l, "libyunhuni")) { $p[trim(substr($l, strpos($l, "/")))] = 1; } }'
        . ' return implode(" ", array_keys($p)); }'
        . 'try {' . $code . '} catch (Throwable $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; exit(3); }';
    $proc = proc_open([PHP_BINARY, '-d', 'ffi.enable=1', '-d', 'display_errors=stderr', '-r', $script],
        [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env + $base);
    $out = (string) stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return [proc_close($proc), trim($out)];
}

/** Checks a child that must succeed and print `$want` (a string it contains). */
function loads(array $result, string $want, string $what): void
{
    [$status, $out] = $result;
    check($status === 0 && str_contains($out, $want), "$what: wanted '$want', got (exit $status) $out");
}

/** Checks a child that must fail with `$class` and a message containing each of `$parts`. */
function refuses(array $result, string $class, array $parts, string $what): void
{
    [$status, $out] = $result;
    $ok = $status === 3 && str_starts_with($out, "$class: ");
    foreach ($parts as $part) {
        $ok = $ok && str_contains($out, $part);
    }
    check($ok, "$what: wanted $class naming " . implode(', ', $parts) . ", got (exit $status) $out");
}

$show = 'echo Yunhuni\version(), " from ", maps(), "\n";';
$installed = "$pkg/yunhuni.php";

try {
    group('an installed package finds a runtime-only install by its SONAME', function () use ($installed, $show, $runtime, $version, $major) {
        check(!file_exists("$runtime/libyunhuni.so") && is_link("$runtime/libyunhuni.so.$major"), 'the runtime folder has no libyunhuni.so');
        loads(child($installed, $show, ['LD_LIBRARY_PATH' => $runtime]), "$version from $runtime/libyunhuni.so.$version",
            "LD_LIBRARY_PATH=$runtime");
    });

    group('with nothing to load, the error says what to install or set', function () use ($installed, $show, $major) {
        [$status, $out] = child($installed, $show);
        if ($status === 0) {
            echo "# libyunhuni is installed on this system ($out): the not-found message is not checked\n";
            return;
        }
        refuses([$status, $out], 'RuntimeException', ["libyunhuni.so.$major", 'YUNHUNI_LIB=', 'use_library(', 'LD_LIBRARY_PATH'],
            'no library anywhere');
    });

    group('YUNHUNI_LIB names the library', function () use ($installed, $show, $built, $version, $tmp) {
        loads(child($installed, $show, ['YUNHUNI_LIB' => $built]), "$version from $built", 'YUNHUNI_LIB=a path');
        refuses(child($installed, $show, ['YUNHUNI_LIB' => "$tmp/nowhere/libyunhuni.so.0"]), 'RuntimeException',
            ['YUNHUNI_LIB', "$tmp/nowhere/libyunhuni.so.0", 'not a file'], 'YUNHUNI_LIB names a missing file');
        refuses(child($installed, $show, ['YUNHUNI_LIB' => __FILE__]), 'RuntimeException',
            ['YUNHUNI_LIB', __FILE__, 'cannot load'], 'YUNHUNI_LIB names a file that is not a library');
    });

    group('Yunhuni\use_library() names the library, before the first use only', function () use ($installed, $show, $runtime, $built, $version, $tmp) {
        loads(child($installed, "Yunhuni\\use_library('$runtime/libyunhuni.so.0'); $show"),
            "$version from $runtime/libyunhuni.so.$version", 'use_library(a path)');
        loads(child($installed, "Yunhuni\\use_library('$runtime/libyunhuni.so.0'); $show", ['YUNHUNI_LIB' => $built]),
            "$version from $runtime/libyunhuni.so.$version", 'use_library() wins over YUNHUNI_LIB');
        refuses(child($installed, "Yunhuni\\use_library('$tmp/nowhere.so'); $show"), 'InvalidArgumentException',
            ["$tmp/nowhere.so", 'no such file'], 'use_library(a missing file)');
        refuses(child($installed, "Yunhuni\\use_library(''); $show"), 'InvalidArgumentException', ['empty'], 'use_library(\'\')');
        refuses(child($installed, "Yunhuni\\use_library('$built', '$tmp/nowhere.h'); $show"), 'InvalidArgumentException',
            ["$tmp/nowhere.h"], 'use_library() with a missing header');
        refuses(child($installed, "Yunhuni\\use_library('$built'); Yunhuni\\version(); Yunhuni\\use_library('$runtime/libyunhuni.so.0');"),
            'LogicException', ["$runtime/libyunhuni.so.0", "already loaded from $built"], 'use_library() after the first use');
        loads(child($installed, "Yunhuni\\use_library('$built'); Yunhuni\\version(); Yunhuni\\use_library('$built'); $show"),
            "$version from $built", 'use_library() of the loaded library again');
    });

    group("a checkout's loader finds the checkout's build", function () use ($show, $version) {
        $root = dirname(__DIR__, 2);
        $build = realpath("$root/target/release/libyunhuni.so") ?: realpath("$root/target/debug/libyunhuni.so");
        loads(child("$root/php/yunhuni.php", $show), "$version from $build", 'php/yunhuni.php with no YUNHUNI_LIB');
    });

    group('the header: next to a configured library, of the same version, or named', function () use ($bare, $show, $prefix, $other, $version, $major, $header, $tmp) {
        // The bare package has no include/ of its own: the prefix's header is read, and its
        // (edited) version does not match the library's.
        refuses(child("$bare/yunhuni.php", $show, ['YUNHUNI_LIB' => "$prefix/lib/libyunhuni.so.$major"]), 'RuntimeException',
            ["$prefix/lib/libyunhuni.so.$major is version $version", "$prefix/include/yunhuni.h declares version $other"],
            'the header next to lib/ is read, and a header of another version refused');
        loads(child("$bare/yunhuni.php", $show, ['YUNHUNI_LIB' => "$prefix/lib/libyunhuni.so.$major", 'YUNHUNI_HEADER' => $header]),
            "$version from $prefix/lib/libyunhuni.so.$version", 'YUNHUNI_HEADER names the header');
        refuses(child("$bare/yunhuni.php", $show, ['YUNHUNI_LIB' => "$prefix/lib/libyunhuni.so.$major", 'YUNHUNI_HEADER' => "$tmp/none.h"]),
            'RuntimeException', ['YUNHUNI_HEADER', "$tmp/none.h"], 'YUNHUNI_HEADER names a missing file');
    });
} finally {
    exec('rm -rf ' . escapeshellarg($tmp));
}

finish('library_test');
