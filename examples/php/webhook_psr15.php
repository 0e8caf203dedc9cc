<?php
// A webhook route built from PSR-7 and PSR-15 parts: Yunhuni\Webhook\Psr15\Middleware in front
// of the application's own request handler, which finds the typed event in the request's
// `yunhuni.event` attribute. The middleware checks the URL token and the declared
// Content-Length before reading (a wrong token, or a body over 1 MiB, is refused unread),
// parses the event, answers the platform's re-sends of an event already handled with 200, and
// releases the event when the handler fails (throws, or answers other than 200) so that the
// re-send is handled. Any framework that runs PSR-15 middleware (Slim, Mezzio, ...) takes it
// as it is; this file is its own small front controller, with Nyholm's PSR-7 and Predis.
//
//   WEBHOOK_TOKEN=s3cret REDIS_URL=tcp://127.0.0.1:6379 php -S 0.0.0.0:9000 webhook_psr15.php
//       then give http://HOST:9000/?token=s3cret as the callback URL
//   or behind a web server and PHP-FPM (`enable_post_data_reading = Off` for its pool)
//
// Needs psr/http-server-middleware, nyholm/psr7 and predis/predis (`composer require ...`, or
// Debian's php-nyholm-psr7 and php-nrk-predis with the PSR-15 interfaces of its php-psr).
// One line per event handled goes to the file named by YUNHUNI_WEBHOOK_LOG, else to the log.
// WEBHOOK_DEMO_FAIL_ONE_IN=N (with Redis): the handler fails the first attempt of one event in
// N; WEBHOOK_DEMO_SLOW_ONE_IN=N: it takes WEBHOOK_DEMO_SLOW_MS (default 6000) ms over one event
// in N, longer than the platform waits (5 s), which sends it again meanwhile. To watch the
// platform's re-sends being handled exactly once.

declare(strict_types=1);

require_once __DIR__ . '/yunhuni.php';
// Without Composer: the system's copies of Nyholm's PSR-7 and Predis (Debian's include_path).
class_exists(Nyholm\Psr7\Factory\Psr17Factory::class) || require_once 'Nyholm/Psr7/autoload.php';
class_exists(Predis\Client::class) || require_once 'Predis/autoload.php';

use Nyholm\Psr7\Factory\Psr17Factory;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Server\RequestHandlerInterface;
use Yunhuni\Event;
use Yunhuni\Webhook\Delivery;
use Yunhuni\Webhook\MemoryStore;
use Yunhuni\Webhook\Psr15\Middleware;
use Yunhuni\Webhook\Receiver;
use Yunhuni\Webhook\RedisStore;

$psr17 = new Psr17Factory();
$redisUrl = getenv('REDIS_URL');
$redis = is_string($redisUrl) && $redisUrl !== '' ? new Predis\Client($redisUrl) : null;
$token = getenv('WEBHOOK_TOKEN');
$webhook = new Middleware(new Receiver(
    token: is_string($token) && $token !== '' ? $token : null,
    store: $redis !== null ? new RedisStore($redis) : new MemoryStore(),
), $psr17);

// The application's handler: it runs once per event.
$app = new class ($psr17, $redis) implements RequestHandlerInterface {
    public function __construct(private Psr17Factory $psr17, private ?Predis\Client $redis)
    {
    }

    public function handle(ServerRequestInterface $request): ResponseInterface
    {
        $event = $request->getAttribute(Middleware::EVENT);
        $delivery = $request->getAttribute(Middleware::DELIVERY);
        assert($event instanceof Event && $delivery instanceof Delivery);
        $failOneIn = (int) getenv('WEBHOOK_DEMO_FAIL_ONE_IN');
        if ($this->redis !== null && $failOneIn > 0 && crc32($delivery->key) % $failOneIn === 0
            && $this->redis->set("webhook-demo:failed:$delivery->key", '1', 'PX', 3_600_000, 'NX') !== null) {
            return $this->psr17->createResponse(503); // released by the middleware: sent again
        }
        $slowOneIn = (int) getenv('WEBHOOK_DEMO_SLOW_ONE_IN');
        if ($slowOneIn > 0 && crc32($delivery->key) % $slowOneIn === 1) {
            usleep(1000 * (int) (getenv('WEBHOOK_DEMO_SLOW_MS') ?: 6000));
        }
        $line = sprintf('handled %s event=%s id=%s pid=%d', $delivery->key, $event->name, $event->id ?? '-', getmypid());
        $log = getenv('YUNHUNI_WEBHOOK_LOG');
        if (is_string($log) && $log !== '') {
            file_put_contents($log, $line . "\n", FILE_APPEND | LOCK_EX);
        } else {
            error_log($line);
        }
        return $this->psr17->createResponse(200)->withBody($this->psr17->createStream($delivery->body));
    }
};

// The PSR-7 request of this PHP request (a framework does this part), its body read lazily.
$request = $psr17->createServerRequest($_SERVER['REQUEST_METHOD'] ?? 'GET', (string) ($_SERVER['REQUEST_URI'] ?? '/'), $_SERVER)
    ->withBody($psr17->createStreamFromResource(fopen('php://input', 'rb')));
foreach ($_SERVER as $name => $value) {
    if (str_starts_with((string) $name, 'HTTP_')) {
        $request = $request->withHeader(str_replace('_', '-', substr((string) $name, 5)), (string) $value);
    }
}
foreach (['CONTENT_LENGTH' => 'Content-Length', 'CONTENT_TYPE' => 'Content-Type'] as $name => $header) {
    if (isset($_SERVER[$name]) && $_SERVER[$name] !== '') {
        $request = $request->withHeader($header, (string) $_SERVER[$name]);
    }
}

$response = $webhook->process($request, $app);
http_response_code($response->getStatusCode());
foreach ($response->getHeaders() as $name => $values) {
    header("$name: " . implode(', ', $values));
}
echo $response->getBody();
if (function_exists('fastcgi_finish_request')) {
    fastcgi_finish_request(); // php-fpm: the answer leaves now, not after PHP drained an unread body
}
