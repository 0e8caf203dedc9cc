<?php

declare(strict_types=1);

namespace Yunhuni\Webhook\Psr15;

use Psr\Http\Message\ResponseFactoryInterface;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Server\RequestHandlerInterface;
use Yunhuni\Event;
use Yunhuni\Ivr\Response as IvrResponse;
use Yunhuni\Webhook\Delivery;
use Yunhuni\Webhook\Receiver;

/**
 * A PSR-15 request handler that is the whole webhook route: Middleware's checks, then
 * `$handler($event, $delivery)` for a delivery not seen before, answered 200 once it returned
 * (500 after releasing the key when it throws, so that the platform sends the event again).
 * For an `ivr_start`, the handler returns the IVR document (a Yunhuni\Ivr\Response or its
 * XML), which is the answer.
 *
 *     $route = new RequestHandler($receiver, $psr17Factory, function (Yunhuni\Event $event): void {
 *         // handle it; throw to have the platform send it again
 *     });
 *     $response = $route->handle($serverRequest);
 */
final class RequestHandler implements RequestHandlerInterface
{
    private readonly Middleware $middleware;
    /** @var \Closure(Event, Delivery): mixed */
    private readonly \Closure $handler;

    /** @param callable(Event, Delivery): mixed $handler */
    public function __construct(Receiver $receiver, ResponseFactoryInterface $responses, callable $handler)
    {
        $this->middleware = new Middleware($receiver, $responses);
        $this->handler = \Closure::fromCallable($handler);
    }

    public function handle(ServerRequestInterface $request): ResponseInterface
    {
        $middleware = $this->middleware;
        $handler = $this->handler;
        return $middleware->process($request, new class ($middleware, $handler) implements RequestHandlerInterface {
            public function __construct(private readonly Middleware $middleware, private readonly \Closure $handler)
            {
            }

            public function handle(ServerRequestInterface $request): ResponseInterface
            {
                $delivery = $request->getAttribute(Middleware::DELIVERY);
                assert($delivery instanceof Delivery);
                $result = ($this->handler)($delivery->event, $delivery);
                if ($delivery->event->name === 'ivr_start' && ($result instanceof IvrResponse || is_string($result))) {
                    $response = $this->middleware->text(200, is_string($result) ? $result : $result->toXml());
                    return $response->withHeader('Content-Type', 'application/xml; charset=utf-8');
                }
                return $this->middleware->text($delivery->status, $delivery->body);
            }
        });
    }
}
