<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

use Yunhuni\Event;

/**
 * Serves the current PHP request as a webhook delivery, for plain PHP applications (a script
 * under PHP-FPM, Apache or `php -S`): the token in the query and the declared Content-Length
 * are checked first (a wrong token or a body over the limit is refused unread), then at most
 * the limit is read from php://input, the event parsed and its key claimed in the receiver's
 * store (under a lease with a RedisStore: Receiver::begin()), and `$handler($event, $delivery)`
 * called for a delivery not seen before. The answer is sent here: 200 once the handler returned
 * and the key was marked done (duplicates too); when the handler throws, the key is released
 * and 500 answered, so that the platform sends the event again and the re-send is handled (the
 * Throwable goes to PHP's error log). A worker that dies while handling leaves the key free once
 * its lease runs out (10 s by default in PHP, which cannot renew it on its own: a handler that
 * may run longer calls `$delivery->renew()` every few seconds), and the platform's re-send is
 * handled; a re-send that comes while another worker handles the event waits for it (200 as a
 * duplicate once done, 503 if it is still at it after 4 s). Refusals are answered with their status
 * (401, 403, 413, 400, 405, 503) and a line saying what was wrong.
 *
 * For an `ivr_start` (the platform's IVR request to the same URL), the handler returns the IVR
 * document (a Yunhuni\Ivr\Response or its XML), which is the answer.
 *
 *     Yunhuni\Webhook\serve($receiver, function (Yunhuni\Event $event): void {
 *         // handle it; throw to have the platform send it again
 *     });
 *
 * Under php-fpm the answer is finished with fastcgi_finish_request(): the platform has it at
 * once, and nothing printed after serve() reaches it. PHP reads a POST body of any size into
 * memory before the script starts unless `enable_post_data_reading = Off` (php.ini, the FPM
 * pool, .user.ini); set it for the webhook's scripts so that a body over the limit is never
 * read. PHP's own `post_max_size` refuses larger ones in any case.
 *
 * @param callable(Event, Delivery): mixed $handler
 * @param array<string, mixed>|null $server the request's server variables (null: $_SERVER)
 * @param resource|null $input the body (null: php://input)
 * @return int the status answered
 */
function serve(Receiver $receiver, callable $handler, ?array $server = null, $input = null): int
{
    $server ??= $_SERVER;
    $length = $server['CONTENT_LENGTH'] ?? $server['HTTP_CONTENT_LENGTH'] ?? null;
    $read = static function (int $max) use ($input): string {
        $stream = $input ?? fopen('php://input', 'rb');
        if ($stream === false) {
            return '';
        }
        try {
            return Exchange::readStream($stream, $max);
        } finally {
            if ($input === null) {
                fclose($stream);
            }
        }
    };
    $answer = static function (int $status, string $body, ?\Throwable $failure, string $type = 'text/plain; charset=utf-8'): int {
        if ($failure !== null) {
            error_log('yunhuni webhook: the handler threw ' . get_class($failure) . ': ' . $failure->getMessage()
                . ' at ' . $failure->getFile() . ':' . $failure->getLine());
        }
        if (!headers_sent()) {
            http_response_code($status);
            header("Content-Type: $type");
        }
        echo $body;
        if (function_exists('fastcgi_finish_request')) {
            // php-fpm: the answer leaves now; PHP would otherwise first read the rest of a body
            // left unread (a refused one), however large, before sending it.
            fastcgi_finish_request();
        }
        return $status;
    };
    return Exchange::run(
        $receiver,
        (string) ($server['REQUEST_METHOD'] ?? 'GET'),
        (string) ($server['QUERY_STRING'] ?? ''),
        $length === null ? null : (string) $length,
        $read,
        static function (Delivery $delivery) use ($receiver, $handler, $answer): int {
            $result = $handler($delivery->event, $delivery);
            Exchange::complete($receiver, $delivery);
            if ($delivery->event->name === 'ivr_start' && ($result instanceof \Yunhuni\Ivr\Response || is_string($result))) {
                $xml = is_string($result) ? $result : $result->toXml();
                return $answer(200, $xml, null, 'application/xml; charset=utf-8');
            }
            return $answer($delivery->status, $delivery->body, null);
        },
        $answer,
    );
}
