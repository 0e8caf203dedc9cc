<?php
// A webhook receiver: the platform POSTs each call's end event here. It reads the raw body,
// parses it, logs one line and answers 200 (the platform retries anything else up to 3 times).
// A body that is not an event is answered 400.
//
//   php -d ffi.enable=1 -S 0.0.0.0:9000 webhook.php      (then give http://host:9000/ as the callback URL)
//
// Lines go to the file named by YUNHUNI_WEBHOOK_LOG, else to the server's log (stderr).

require_once __DIR__ . '/yunhuni.php';

//接收流数据
$streamData = isset($GLOBALS['HTTP_RAW_POST_DATA']) ? $GLOBALS['HTTP_RAW_POST_DATA'] : '';
if (empty($streamData)) {
    $streamData = file_get_contents('php://input');
}

try {
    $event = Yunhuni\parse_event($streamData);
    $line = sprintf('event %s id=%s', $event->name, $event->id ?? '-');
    if ($event->outcome() !== null) {
        $line .= sprintf(' outcome=%s talk_seconds=%d', $event->outcome(), $event->talkSeconds());
    } elseif ($event->get('ended_by') !== null) {
        $line .= ' ended_by=' . $event->get('ended_by');
    }
    if ($event->userData() !== null) {
        $line .= ' user_data=' . json_encode($event->userData(), JSON_UNESCAPED_UNICODE);
    }
    $status = 200;
} catch (Yunhuni\Exception $e) {
    $line = sprintf('rejected %d bytes: %s error: %s', strlen((string) $streamData), $e->kind, $e->getMessage());
    $status = 400;
}

$log = getenv('YUNHUNI_WEBHOOK_LOG');
if ($log !== false && $log !== '') {
    file_put_contents($log, $line . "\n", FILE_APPEND | LOCK_EX);
} else {
    error_log($line);
}
http_response_code($status);
header('Content-Type: text/plain; charset=utf-8');
echo $status === 200 ? "ok\n" : "not an event\n";
