<?php

declare(strict_types=1);

namespace Yunhuni\Webhook;

use Yunhuni\Exception;

/**
 * One webhook request from head to answer, the same for every helper (serve(), the PSR-15
 * middleware and request handler): the head checked before the body is read, at most the
 * limit (plus one byte, to see it was exceeded) read, Receiver::begin() (the key held under a
 * lease), duplicates answered at once, the handler called (the helper marks the key done,
 * Receiver::complete(), before it answers 200), and its failure answered non-200 after
 * releasing the key so that the platform's re-send is handled. The helpers only say how to read the body and how
 * to answer.
 *
 * @internal Used by the helpers of this namespace.
 */
final class Exchange
{
    /**
     * The declared length from a Content-Length value (null when there is none).
     *
     * @throws Exception status 400 for a value that is not a length
     */
    public static function contentLength(?string $header): ?int
    {
        if ($header === null || $header === '') {
            return null;
        }
        $header = trim($header);
        if (preg_match('/^[0-9]+$/D', $header) !== 1) {
            throw new Exception('decode', 'Content-Length: ' . json_encode($header, JSON_INVALID_UTF8_SUBSTITUTE) . ' is not a length', null, 400, 'content_length');
        }
        // A length past PHP_INT_MAX stays over any limit.
        return strlen(ltrim($header, '0')) > 18 ? PHP_INT_MAX : (int) $header;
    }

    /**
     * Runs the exchange. `$read($max)` returns at most `$max` bytes of the body; `$handle`
     * is called with the Delivery of a new delivery and returns what the helper answers with;
     * it may throw. `$refuse($status, $message)` makes the answer of a refusal, duplicates
     * and failures included.
     *
     * @template T
     * @param callable(int): string $read
     * @param callable(Delivery): T $handle
     * @param callable(int, string, ?\Throwable): T $answer
     * @return T
     */
    public static function run(Receiver $receiver, string $method, string $query, ?string $contentLength, callable $read, callable $handle, callable $answer): mixed
    {
        if (strtoupper($method) !== 'POST') {
            return $answer(405, "the platform POSTs its events here; $method is not answered\n", null);
        }
        try {
            $receiver->checkHead($query, self::contentLength($contentLength));
            $body = $read($receiver->maxBody() + 1);
            $delivery = $receiver->begin($query, $body);
        } catch (Exception $e) {
            return $answer($e->status >= 400 ? $e->status : 400, $e->getMessage() . "\n", null);
        }
        if ($delivery->duplicate) {
            return $answer($delivery->status, $delivery->body, null);
        }
        try {
            return $handle($delivery);
        } catch (\Throwable $failure) {
            try {
                $receiver->release($delivery);
            } catch (Exception $e) {
                // The key stays claimed until its lease (or, without one, its time) runs out.
                error_log('yunhuni webhook: ' . $delivery->key . ' could not be released: ' . $e->getMessage());
            }
            return $answer(500, "the handler of {$delivery->event->name} failed; send it again\n", $failure);
        }
    }

    /**
     * Marks a handled delivery done (before the helper answers 200); a failure is logged (the
     * key stays pending until its lease runs out).
     */
    public static function complete(Receiver $receiver, Delivery $delivery): void
    {
        try {
            if (!$receiver->complete($delivery)) {
                error_log('yunhuni webhook: ' . $delivery->key . ' was handled, but its lease had run out and another worker holds it'
                    . ' (call $delivery->renew() in long handlers)');
            }
        } catch (Exception $e) {
            error_log('yunhuni webhook: ' . $delivery->key . ' could not be marked done: ' . $e->getMessage());
        }
    }

    /**
     * Reads at most `$max` bytes from a stream.
     *
     * @param resource $stream
     */
    public static function readStream($stream, int $max): string
    {
        $body = '';
        while (strlen($body) < $max && !feof($stream)) {
            $chunk = fread($stream, min(65536, $max - strlen($body)));
            if ($chunk === false || $chunk === '') {
                break;
            }
            $body .= $chunk;
        }
        return $body;
    }
}
