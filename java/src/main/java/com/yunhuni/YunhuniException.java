package com.yunhuni;

/**
 * Every error of the SDK: core's error, unchanged. Its {@link #kind()} is stable
 * ({@code validation}, {@code api}, {@code auth}, {@code http}, {@code timeout},
 * {@code transport}, {@code decode}; {@code internal} for a bug of the SDK) and each kind has
 * its subclass, so that {@code catch (YunhuniException.Api e)} reads as what it catches.
 * Where it applies, the platform's return code ({@code 030500}), the HTTP status, the field
 * (in Java's camelCase) and the platform's own message are kept. Unchecked, as the errors of
 * most Java HTTP clients are. Secrets never appear in a message.
 */
public class YunhuniException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final String code;
    private final Integer status;
    private final String field;
    private final String platformMessage;
    private final boolean maybeSent;

    YunhuniException(String kind, String message, String code, Integer status, String field,
            String platformMessage, boolean maybeSent) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.status = status;
        this.field = field;
        this.platformMessage = platformMessage;
        this.maybeSent = maybeSent;
    }

    /** Made by the native library for each error it throws. */
    static YunhuniException fromNative(String kind, String message, String code, int status, String field,
            String platformMessage, boolean maybeSent) {
        Integer s = status < 0 ? null : status;
        switch (kind) {
            case "validation": return new Validation(message, code, s, field, platformMessage, maybeSent);
            case "api": return new Api(message, code, s, field, platformMessage, maybeSent);
            case "auth": return new Auth(message, code, s, field, platformMessage, maybeSent);
            case "http": return new Http(message, code, s, field, platformMessage, maybeSent);
            case "timeout": return new Timeout(message, code, s, field, platformMessage, maybeSent);
            case "transport": return new Transport(message, code, s, field, platformMessage, maybeSent);
            case "decode": return new Decode(message, code, s, field, platformMessage, maybeSent);
            default: return new YunhuniException(kind, message, code, s, field, platformMessage, maybeSent);
        }
    }

    /** A {@code validation} error of the Java layer itself (an argument of the wrong type). */
    static YunhuniException validation(String field, String message) {
        return new Validation(field + ": " + message, null, null, field, null, false);
    }

    /** {@code validation}, {@code api}, {@code auth}, {@code http}, {@code timeout}, {@code transport}, {@code decode}. */
    public String kind() {
        return kind;
    }

    /** The platform's return code ({@code "030500"}), or null. */
    public String code() {
        return code;
    }

    /** The HTTP status of the answer, or null when none was received. */
    public Integer status() {
        return status;
    }

    /** The field the error is about (camelCase, {@code skills[0].maxScore}), or null. */
    public String field() {
        return field;
    }

    /** The platform's own message ({@code msg}), or null. */
    public String platformMessage() {
        return platformMessage;
    }

    /**
     * True when bytes of the request were written before it failed, so the platform may have
     * acted on it (a call may have been placed): the SDK never sends such a request again.
     */
    public boolean maybeSent() {
        return maybeSent;
    }

    /** The request was refused before anything was sent; {@link #field()} names what was wrong. */
    public static class Validation extends YunhuniException {
        private static final long serialVersionUID = 1L;
        Validation(String m, String c, Integer s, String f, String p, boolean ms) {
            super("validation", m, c, s, f, p, ms);
        }
    }

    /** The platform answered with a return code other than {@code 000000}. */
    public static class Api extends YunhuniException {
        private static final long serialVersionUID = 1L;
        Api(String m, String c, Integer s, String f, String p, boolean ms) {
            super("api", m, c, s, f, p, ms);
        }
    }

    /** The platform refused the credentials or the signature. */
    public static class Auth extends YunhuniException {
        private static final long serialVersionUID = 1L;
        Auth(String m, String c, Integer s, String f, String p, boolean ms) {
            super("auth", m, c, s, f, p, ms);
        }
    }

    /** An HTTP status that is not the platform's JSON answer. */
    public static class Http extends YunhuniException {
        private static final long serialVersionUID = 1L;
        Http(String m, String c, Integer s, String f, String p, boolean ms) {
            super("http", m, c, s, f, p, ms);
        }
    }

    /** No answer in time. */
    public static class Timeout extends YunhuniException {
        private static final long serialVersionUID = 1L;
        Timeout(String m, String c, Integer s, String f, String p, boolean ms) {
            super("timeout", m, c, s, f, p, ms);
        }
    }

    /** The connection failed (DNS, refused, reset, TLS). */
    public static class Transport extends YunhuniException {
        private static final long serialVersionUID = 1L;
        Transport(String m, String c, Integer s, String f, String p, boolean ms) {
            super("transport", m, c, s, f, p, ms);
        }
    }

    /** An answer or an event body that could not be read. */
    public static class Decode extends YunhuniException {
        private static final long serialVersionUID = 1L;
        Decode(String m, String c, Integer s, String f, String p, boolean ms) {
            super("decode", m, c, s, f, p, ms);
        }
    }
}
