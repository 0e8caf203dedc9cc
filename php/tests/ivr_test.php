<?php
// Yunhuni\Ivr\Response against tests/vectors/ivr.json: every document that the builder's methods
// can express is written through them (each element by its method, its text and required
// attributes as arguments, the others as options) and must give the vector's XML bytes or be
// refused with its kind and field; every description is also written through the library's
// rendering directly (which the documents the methods cannot express, such as attributes where
// the schema ignores them, reach too); every `<next>` query through Yunhuni\parse_ivr_next();
// every ivr_start body through Yunhuni\parse_event(). The same file runs on FFI and on the
// extension.
//
//   php ivr_test.php tests/vectors

declare(strict_types=1);

require_once __DIR__ . '/lib.php';

use Yunhuni\Ivr\Response;
use Yunhuni\Ivr\Step;

$dir = $argv[1] ?? dirname(__DIR__, 2) . '/tests/vectors';
$vectors = json_decode((string) file_get_contents("$dir/ivr.json"), true, 512, JSON_THROW_ON_ERROR);

/** Adds `$el` through its method on `$step`; false when the methods cannot express it. */
function add(Step $step, array $el): bool
{
    $method = lcfirst(str_replace('_', '', ucwords($el['name'], '_')));
    if (!method_exists($step, $method)) {
        return false;
    }
    $m = new ReflectionMethod($step, $method);
    $attrs = $el['attrs'] ?? [];
    $args = [];
    $textUsed = !isset($el['text']);
    foreach ($m->getParameters() as $p) {
        $snake = strtolower((string) preg_replace('/[A-Z]/', '_$0', $p->getName()));
        if ($p->getName() === 'options') {
            $args[] = $attrs;
            $attrs = [];
        } elseif (array_key_exists($snake, $attrs)) {
            $args[] = $attrs[$snake];
            unset($attrs[$snake]);
        } elseif (!$textUsed) {
            $args[] = $el['text'];
            $textUsed = true;
        } else {
            return false;
        }
    }
    if ($attrs !== [] || !$textUsed) {
        return false;
    }
    try {
        $holder = $m->invokeArgs($step, $args);
    } catch (TypeError) {
        return false; // a value of another type than the method's parameter: not expressible
    }
    foreach ($el['children'] ?? [] as $child) {
        if (!add($holder, $child)) {
            return false;
        }
    }
    return true;
}

/** The vector's document through the builder's methods; null when they cannot express it. */
function built(array $description): ?Response
{
    if (array_diff(array_keys($description), ['actions', 'next', 'end_call']) !== []) {
        return null;
    }
    $response = new Response();
    foreach ($description['actions'] ?? [] as $action) {
        if (!is_array($action) || !isset($action['name']) || !add($response, $action)) {
            return null;
        }
    }
    if (isset($description['next'])) {
        if (!is_string($description['next'])) {
            return null;
        }
        $response->next($description['next']);
    }
    if (($description['end_call'] ?? false) === true) {
        $response->endCall();
    }
    return $response;
}

/** The outcome of writing: ['xml', text] or ['error', kind, field]. */
function outcome(callable $write): array
{
    try {
        return ['xml', $write()];
    } catch (Yunhuni\Exception $e) {
        return ['error', $e->kind, $e->field];
    }
}

group('every IVR document vector, through the builder and through the rendering', function () use ($vectors) {
    $viaMethods = 0;
    foreach ($vectors['documents'] as $v) {
        $want = isset($v['expect']['xml']) ? ['xml', $v['expect']['xml']] : ['error', $v['expect']['error'], $v['expect']['field']];
        $json = json_encode($v['response'], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
        $got = outcome(fn () => Yunhuni\Native::ivrXml($json));
        check($got === $want, "{$v['name']}: rendered " . json_encode($got, JSON_UNESCAPED_UNICODE) . ', want ' . json_encode($want, JSON_UNESCAPED_UNICODE));
        $response = built($v['response']);
        if ($response !== null) {
            $viaMethods++;
            $got = outcome(fn () => $response->toXml());
            check($got === $want, "{$v['name']}: built " . json_encode($got, JSON_UNESCAPED_UNICODE) . ', want ' . json_encode($want, JSON_UNESCAPED_UNICODE));
            if ($want[0] === 'xml') {
                check((string) $response === $want[1], "{$v['name']}: (string) is toXml()");
            }
        }
    }
    echo "# ivr: " . count($vectors['documents']) . " documents, $viaMethods written through the builder's methods\n";
    check($viaMethods >= 100, "most documents are written through the builder's methods ($viaMethods)");
});

group('the builder: chaining, endsCall(), toArray(), errors naming element and attribute', function () {
    $r = (new Response())->get(['max_keys' => 1, 'finish_keys' => '#', 'valid_keys' => null])->play('menu.wav')->next('https://app.example.com/ivr/menu');
    check($r instanceof Response && !$r->endsCall(), 'get()->play()->next() gives the Response, which does not end the call');
    check($r->toArray() === ['actions' => [['name' => 'get', 'attrs' => ['max_keys' => 1, 'finish_keys' => '#'], 'children' => [['name' => 'play', 'text' => 'menu.wav']]]], 'next' => 'https://app.example.com/ivr/menu'],
        'toArray() is the neutral description, null options left out: ' . json_encode($r->toArray()));
    $end = (new Response())->play('bye.wav')->endCall();
    check($end->endsCall() && str_contains($end->toXml(), '<play>bye.wav</play></response>'), 'endCall(): no <next>');
    $e = expect_exception(fn () => (new Response())->play('bye.wav')->toXml(), 'an action with neither next() nor endCall()');
    check($e?->kind === 'validation' && $e->field === 'next', 'refused naming next: ' . $e?->getMessage());
    $e = expect_exception(fn () => (new Response())->get(['max_keys' => 1, 'nope' => 2])->play('a.wav')->next('https://a.example/b')->toXml(), 'an unknown option');
    check($e?->field === 'get.nope', 'refused naming get.nope: ' . $e?->getMessage());
    $e = expect_exception(fn () => (new Response())->get(['max_keys' => '1'])->play('a.wav')->next('https://a.example/b')->toXml(), 'a string for an integer');
    check($e?->field === 'get.max_keys', 'refused naming get.max_keys: ' . $e?->getMessage());
    $e = expect_exception(fn () => (new Response())->play("a\xff.wav")->endCall()->toXml(), 'non-UTF-8 text');
    check($e?->kind === 'validation', 'non-UTF-8 text refused: ' . $e?->getMessage());
    $e = expect_exception(fn () => (new Response())->play("a\0.wav")->endCall()->toXml(), 'a NUL in the text');
    check($e?->kind === 'validation', 'a NUL refused: ' . $e?->getMessage());
    $xml = (new Response())->play(str_repeat('a', 2_000_000) . '.wav')->endCall()->toXml();
    check(strlen($xml) > 2_000_000, 'a 2 MB file name is written whole');
    $e = expect_exception(fn () => (new Response())->play('a.wav')->play('b.wav')->endCall()->toXml(), 'two actions');
    check($e?->kind === 'validation', 'two actions refused: ' . $e?->getMessage());
    $thrown = null;
    try {
        (new Response())->pause('5');
    } catch (TypeError $t) {
        $thrown = $t;
    }
    check($thrown !== null && str_contains($thrown->getMessage(), '$duration'), 'a required attribute of the wrong type is a TypeError naming it');
});

group('Yunhuni\parse_ivr_next() on every <next> query vector', function () use ($vectors) {
    foreach ($vectors['next'] as $v) {
        try {
            $got = Yunhuni\parse_ivr_next($v['query']);
            ksort($got);
            $want = $v['expect'];
            if (!isset($want['type'])) {
                check(false, "{$v['name']}: parsed, want a {$want['error']} error");
                continue;
            }
            ksort($want);
            check($got == $want, "{$v['name']}: " . json_encode($got, JSON_UNESCAPED_UNICODE));
        } catch (Yunhuni\Exception $e) {
            check(!isset($v['expect']['type']) && $v['expect']['error'] === $e->kind && $v['expect']['field'] === $e->field,
                "{$v['name']}: {$e->kind} {$e->field} {$e->getMessage()}");
        }
    }
});

group('Yunhuni\parse_event() on every ivr_start vector', function () use ($vectors) {
    foreach ($vectors['ivr_start'] as $v) {
        $body = (string) hex2bin($v['body_hex']);
        try {
            $event = Yunhuni\parse_event($body);
            $want = $v['expect'];
            if (!isset($want['type'])) {
                // A body the ivr_start reader refuses may be another event, which parse_event() reads.
                check($event->name !== 'ivr_start', "{$v['name']}: not read as ivr_start (read as {$event->name})");
                continue;
            }
            check($event->name === 'ivr_start' && $event->type() === 'ivr_start', "{$v['name']}: name and type ivr_start");
            $got = $event->toArray();
            ksort($got);
            ksort($want);
            check($got == $want, "{$v['name']}: " . json_encode($got, JSON_UNESCAPED_UNICODE));
        } catch (Yunhuni\Exception $e) {
            check(!isset($v['expect']['type']) && $v['expect']['error'] === $e->kind, "{$v['name']}: {$e->kind} {$e->getMessage()}");
        }
    }
});

finish('ivr_test');
