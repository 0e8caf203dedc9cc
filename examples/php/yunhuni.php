<?php

/**
 * Loads the yunhuni package for the examples of this folder: Composer's autoloader when the
 * examples sit in a Composer project that required yunhuni/yunhuni (vendor/autoload.php next to
 * this file), else the loader of this checkout (php/yunhuni.php).
 */

declare(strict_types=1);

if (is_file(__DIR__ . '/vendor/autoload.php')) {
    require_once __DIR__ . '/vendor/autoload.php';
} else {
    require_once dirname(__DIR__, 2) . '/php/yunhuni.php';
}
