<?php

declare(strict_types=1);

namespace Yunhuni;

/**
 * A parsed webhook event, as every language of the SDK sees it.
 *
 * `toArray()` is the canonical view: for `duo_callback.end`, `notify_call.end` and
 * `verify_call.end` every typed field is present (null when absent), plus `outcome` and
 * `talk_seconds` for a voice callback; any other event is
 * `['type' => 'event', 'event' => name, 'fields' => the whole body]`.
 */
final class Event
{
    /** @param array<string, mixed> $data the canonical view */
    public function __construct(
        /** The `event` name, for example `duo_callback.end`. */
        public readonly string $name,
        /** The call or resource id, when the event has one. */
        public readonly ?string $id,
        /** The body as text (UTF-8, or decoded from the ISO-8859-1 the platform really sends). */
        public readonly string $rawJson,
        private readonly array $data,
    ) {
    }

    /** The event's name for an event core types (`duo_callback.end`, ...), `event` for any other. */
    public function type(): string
    {
        return (string) $this->data['type'];
    }

    /** @return array<string, mixed> the canonical view */
    public function toArray(): array
    {
        return $this->data;
    }

    /** A field of the canonical view (for other events, a field of the body); null if absent. */
    public function get(string $key): mixed
    {
        if ($this->type() === 'event') {
            return $this->data['fields'][$key] ?? null;
        }
        return $this->data[$key] ?? null;
    }

    /**
     * How a voice callback ended: `connected`, `party1_not_reached`, `party2_not_reached`,
     * `max_duration_reached`, `bridge_error` or `platform_failure`; null for other events.
     */
    public function outcome(): ?string
    {
        return $this->data['outcome'] ?? null;
    }

    /** Seconds the parties of a voice callback talked; null for other events. */
    public function talkSeconds(): ?int
    {
        return $this->data['talk_seconds'] ?? null;
    }

    /** The `user_data` given when the call was placed, if any. */
    public function userData(): ?string
    {
        $value = $this->get('user_data');
        return is_string($value) ? $value : null;
    }
}
