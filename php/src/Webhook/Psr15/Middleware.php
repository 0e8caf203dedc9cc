<?php

declare(strict_types=1);

namespace Yunhuni\Webhook\Psr15;

use Psr\Http\Message\ResponseFactoryInterface;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Server\MiddlewareInterface;
use Psr\Http\Server\RequestHandlerInterface;
use Yunhuni\Webhook\Delivery;
use Yunhuni\Webhook\Exchange;
use Yunhuni\Webhook\Receiver;

/**
 * A PSR-15 middleware for the route the platform POSTs its events to: it checks the URL token
 * and the declared Content-Length first (a wrong token or a body over the limit is refused
 * unread), reads at most the limit from the body stream, parses the event and looks it up in
 * the receiver's store. A duplicate is answered 200 here; a new delivery goes on to the next
 * handler with the request attributes `yunhuni.event` (Yunhuni\Event) and `yunhuni.delivery`
 * (Delivery). When the next handler throws, or answers a status other than 200, the delivery's
 * key is released so that the platform's re-send is handled: a throw is answered 500, another
 * status is passed on as it is. Refusals are answered with their status (401, 403, 413, 400,
 * 405, 503) and a line saying what was wrong.
 *
 * Needs the PSR-7, PSR-15 and PSR-17 interfaces (psr/http-message, psr/http-server-middleware,
 * psr/http-factory) and a PSR-17 response factory of any PSR-7 implementation.
 *
 *     $app->post('/webhook', $handler)->add(new Middleware($receiver, $psr17Factory));
 */
final class Middleware implements MiddlewareInterface
{
    /** The request attribute holding the Yunhuni\Event. */
    public const EVENT = 'yunhuni.event';
    /** The request attribute holding the Yunhuni\Webhook\Delivery. */
    public const DELIVERY = 'yunhuni.delivery';

    public function __construct(
        private readonly Receiver $receiver,
        private readonly ResponseFactoryInterface $responses,
    ) {
    }

    public function process(ServerRequestInterface $request, RequestHandlerInterface $handler): ResponseInterface
    {
        return Exchange::run(
            $this->receiver,
            $request->getMethod(),
            $request->getUri()->getQuery(),
            $request->hasHeader('Content-Length') ? $request->getHeaderLine('Content-Length') : null,
            static function (int $max) use ($request): string {
                $stream = $request->getBody();
                $body = '';
                while (strlen($body) < $max && !$stream->eof()) {
                    $chunk = $stream->read($max - strlen($body));
                    if ($chunk === '') {
                        break;
                    }
                    $body .= $chunk;
                }
                return $body;
            },
            function (Delivery $delivery) use ($request, $handler): ResponseInterface {
                $response = $handler->handle($request
                    ->withAttribute(self::EVENT, $delivery->event)
                    ->withAttribute(self::DELIVERY, $delivery));
                if ($response->getStatusCode() !== 200 && $delivery->event->name !== 'ivr_start') {
                    $this->receiver->release($delivery);
                } else {
                    Exchange::complete($this->receiver, $delivery);
                }
                return $response;
            },
            fn (int $status, string $body, ?\Throwable $failure): ResponseInterface => $this->text($status, $body),
        );
    }

    /** A text/plain response. */
    public function text(int $status, string $body): ResponseInterface
    {
        $response = $this->responses->createResponse($status)->withHeader('Content-Type', 'text/plain; charset=utf-8');
        $response->getBody()->write($body);
        return $response;
    }
}
