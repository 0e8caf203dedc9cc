<?php
// A webhook receiver in plain PHP on Yunhuni\Webhook\serve(): the URL token and the declared
// Content-Length are checked before anything is read (a wrong token, or a body over 1 MiB, is
// refused unread), then the event is parsed and looked up in Redis, shared by every process of
// the application; the handler runs once per event, and when it throws the platform is asked
// (by a 500) to send the event again, which is then handled.
//
//   WEBHOOK_TOKEN=s3cret REDIS_URL=tcp://127.0.0.1:6379 php -S 0.0.0.0:9000 webhook_plain.php
//       then give http://HOST:9000/?token=s3cret as the callback URL
//   or behind a web server and PHP-FPM (extension=yunhuni.so and extension=redis in php.ini;
//   `enable_post_data_reading = Off` for this script's pool, so PHP itself reads no body)
//
// Redis through phpredis (the PHP extension redis); without REDIS_URL, core's in-process store
// (which a PHP process only keeps for one request: fine for trying it, not for production).
// One line per event handled goes to the file named by YUNHUNI_WEBHOOK_LOG, else to the log.
// WEBHOOK_DEMO_FAIL_ONE_IN=N (with Redis): the handler fails the first attempt of one event in
// N; WEBHOOK_DEMO_SLOW_ONE_IN=N: it takes WEBHOOK_DEMO_SLOW_MS (default 6000) ms over one event
// in N, longer than the platform waits (5 s), which sends it again meanwhile. To watch the
// platform's re-sends being handled exactly once.

declare(strict_types=1);

require_once __DIR__ . '/yunhuni.php';

use Yunhuni\Event;
use Yunhuni\Webhook\Delivery;
use Yunhuni\Webhook\MemoryStore;
use Yunhuni\Webhook\Receiver;
use Yunhuni\Webhook\RedisStore;

$redis = null;
$redisUrl = getenv('REDIS_URL');
if (is_string($redisUrl) && $redisUrl !== '') {
    $url = parse_url($redisUrl);
    $redis = new Redis();
    $redis->connect($url['host'] ?? '127.0.0.1', $url['port'] ?? 6379, 2.0);
}
$token = getenv('WEBHOOK_TOKEN');
$receiver = new Receiver(
    token: is_string($token) && $token !== '' ? $token : null,
    store: $redis !== null ? new RedisStore($redis) : new MemoryStore(),
);

Yunhuni\Webhook\serve($receiver, function (Event $event, Delivery $delivery) use ($redis): void {
    $failOneIn = (int) getenv('WEBHOOK_DEMO_FAIL_ONE_IN');
    if ($redis !== null && $failOneIn > 0 && crc32($delivery->key) % $failOneIn === 0
        && $redis->set("webhook-demo:failed:$delivery->key", '1', ['nx', 'px' => 3_600_000])) {
        throw new RuntimeException("a failure for the demo; the platform sends $event->name again");
    }
    $slowOneIn = (int) getenv('WEBHOOK_DEMO_SLOW_ONE_IN');
    if ($slowOneIn > 0 && crc32($delivery->key) % $slowOneIn === 1) {
        usleep(1000 * (int) (getenv('WEBHOOK_DEMO_SLOW_MS') ?: 6000));
    }
    $line = sprintf('handled %s event=%s id=%s pid=%d', $delivery->key, $event->name, $event->id ?? '-', getmypid());
    if ($event->outcome() !== null) {
        $line .= ' outcome=' . $event->outcome();
    }
    $log = getenv('YUNHUNI_WEBHOOK_LOG');
    if (is_string($log) && $log !== '') {
        file_put_contents($log, $line . "\n", FILE_APPEND | LOCK_EX);
    } else {
        error_log($line);
    }
});
