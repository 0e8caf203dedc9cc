package com.yunhuni;

import java.util.Collections;
import java.util.Map;

/**
 * A webhook event (or the platform's {@code ivr_start} request), as {@link Events#parse}
 * returns it: core's canonical view, the same in every language. The typed events of
 * {@link Events} (such as {@link Events.DuoCallbackEnd}) add a getter per declared key; an
 * event that is not typed is an {@link Events.OtherEvent} with its fields kept whole.
 */
public abstract class Event {
    private final Map<String, Object> view;

    protected Event(Map<String, Object> view) {
        this.view = Collections.unmodifiableMap(view);
    }

    /** The view's {@code type}: the event name of a typed event, {@code "event"} for others. */
    public final String type() {
        return (String) view.get("type");
    }

    /** The {@code event} name: {@code duo_callback.end}. */
    public final String event() {
        return (String) view.get("event");
    }

    /** The whole canonical view (snake_case keys, as {@code tests/vectors/events.json} shows it). */
    public final Map<String, Object> toMap() {
        return view;
    }

    /** One value of the view, or null. */
    public final Object get(String key) {
        return view.get(key);
    }

    protected final String string(String key) {
        Object v = view.get(key);
        return v == null ? null : v.toString();
    }

    protected final Long integer(String key) {
        Object v = view.get(key);
        return v instanceof Number ? ((Number) v).longValue() : null;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + view;
    }
}
