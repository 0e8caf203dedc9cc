<?php
// An IVR menu application: the platform POSTs ivr_start here when a call starts (an inbound
// call to one of your numbers, or an ivr_call you placed), and this answers with a document
// holding one action and the <next> URL; the platform runs the action and GETs <next> with its
// results, and so on. The same URL also receives the call's ivr.* events (on the platform one
// URL serves both), answered 200.
//
//   main menu:  1 sales, 2 support; no key: goodbye
//   sales menu: 1 new orders, 2 existing orders (then the call ends)
//   support:    connects the caller to the support line (<dial>)
//
//   php -S 0.0.0.0:9000 ivr.php                       (then give http://host:9000/ivr as the app's URL)
//   or behind a web server and PHP-FPM, with extension=yunhuni.so in php.ini
//
// Each request is logged (one line) to the file named by YUNHUNI_IVR_LOG, else to the server's log.

declare(strict_types=1);

require_once __DIR__ . '/yunhuni.php';

use Yunhuni\Ivr\Response;

const SUPPORT_LINE = '13900000000';

/** This script's own URL with `$step`, for <next>. */
function step_url(string $step): string
{
    $scheme = (($_SERVER['HTTPS'] ?? '') !== '' && $_SERVER['HTTPS'] !== 'off') ? 'https' : 'http';
    $path = (string) parse_url((string) ($_SERVER['REQUEST_URI'] ?? '/'), PHP_URL_PATH);
    return "$scheme://{$_SERVER['HTTP_HOST']}$path?step=$step";
}

function main_menu(): Response
{
    return (new Response())
        ->get(['valid_keys' => '12', 'max_keys' => 1, 'first_key_timeout' => 5])->play('main-menu.wav')
        ->next(step_url('main'));
}

function ivr_log(string $line): void
{
    $log = getenv('YUNHUNI_IVR_LOG');
    if ($log !== false && $log !== '') {
        file_put_contents($log, $line . "\n", FILE_APPEND | LOCK_EX);
    } else {
        error_log($line);
    }
}

function answer(int $status, string $body, string $type = 'text/plain; charset=utf-8'): void
{
    http_response_code($status);
    header("Content-Type: $type");
    echo $body;
}

try {
    if ($_SERVER['REQUEST_METHOD'] === 'POST') {
        // ivr_start, or one of the call's events.
        $event = Yunhuni\parse_event((string) file_get_contents('php://input'));
        if ($event->name !== 'ivr_start') {
            ivr_log(sprintf('event %s id=%s', $event->name, $event->id ?? '-'));
            answer(200, "ok\n");
            return;
        }
        ivr_log(sprintf('start call_id=%s from=%s kind=%s', $event->get('call_id'), $event->get('from'), $event->get('kind')));
        $response = main_menu();
    } else {
        // A <next> request: the results of the action that just ran.
        $next = Yunhuni\parse_ivr_next((string) ($_SERVER['QUERY_STRING'] ?? ''));
        $step = $_GET['step'] ?? '';
        $keys = (string) ($next['keys'] ?? '');
        ivr_log(sprintf('next call_id=%s step=%s action=%s keys=%s error=%s', $next['call_id'], $step, $next['action'], $keys, $next['error'] ?? '-'));
        $response = match ([$step, $keys]) {
            ['main', '1'] => (new Response())
                ->get(['valid_keys' => '12', 'max_keys' => 1, 'first_key_timeout' => 5])->play('sales-menu.wav')
                ->next(step_url('sales')),
            ['main', '2'] => (new Response())
                ->dial(['max_dial_duration' => 30])->number(SUPPORT_LINE)
                ->next(step_url('support')),
            ['sales', '1'] => (new Response())->play('new-orders.wav')->endCall(),
            ['sales', '2'] => (new Response())->play('existing-orders.wav')->endCall(),
            default => (new Response())->play('goodbye.wav')->endCall(),
        };
    }
    answer(200, $response->toXml(), 'application/xml; charset=utf-8');
} catch (Yunhuni\Exception $e) {
    ivr_log(sprintf('refused: %s %s', $e->kind, $e->getMessage()));
    answer(400, "not a request of the platform\n");
}
