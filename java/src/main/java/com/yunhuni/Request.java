package com.yunhuni;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request for one of the platform's operations: its name ({@code conf_create}) and its
 * fields, keyed in camelCase ({@code maxCallDuration}). The typed requests of {@link Requests}
 * are its subclasses; {@code Request.of("ext_list").set("pageSize", 50)} reaches any
 * operation by name. Core checks every field (type, rules, unknown names) when it is sent,
 * before anything leaves the machine. Not thread-safe while being filled in; sending it does
 * not change it.
 */
public class Request {
    private final String operation;
    private final LinkedHashMap<String, Object> fields = new LinkedHashMap<>();

    protected Request(String operation) {
        this.operation = operation;
    }

    /** A request for the operation called {@code operation} (or one of its aliases). */
    public static Request of(String operation) {
        return new Request(operation);
    }

    /**
     * Sets a field (camelCase name) to a String, Boolean, Integer, Long, List, array or Map (for
     * lists of records); {@code null} removes it.
     */
    public Request set(String field, Object value) {
        put(field, value);
        return this;
    }

    /** For the generated setters: sets or (null) removes a field. */
    protected final void put(String field, Object value) {
        if (value == null) {
            fields.remove(field);
        } else {
            fields.put(field, value);
        }
    }

    /** The operation's name. */
    public String operation() {
        return operation;
    }

    /** The fields set so far, in the order they were set. */
    public Map<String, Object> fields() {
        return Collections.unmodifiableMap(fields);
    }

    @Override
    public String toString() {
        return "Request(" + operation + ", fields " + fields.keySet() + ")";
    }
}
