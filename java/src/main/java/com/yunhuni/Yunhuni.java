package com.yunhuni;

import com.yunhuni.internal.Native;
import java.util.Map;

/** The SDK's pure functions: its version, the platform's request signature, its return codes. */
public final class Yunhuni {
    private Yunhuni() {}

    /** The content type this SDK sends and signs. */
    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    /** The version of the core library. */
    public static String version() {
        return Native.coreVersion();
    }

    /**
     * The {@code Signature} header of a request (core's signing: HMAC-SHA256 over the method,
     * body MD5, content type, timestamp, app id and path). {@code contentType} null means
     * {@link #CONTENT_TYPE}; {@code body} null means none. The query of {@code uri} is not signed.
     */
    public static String sign(String method, String uri, String contentType, String timestamp, String appId,
            String secretKey, byte[] body) {
        return Native.sign(method, uri, contentType, timestamp, appId, secretKey, body);
    }

    /** The text that {@link #sign} signs. */
    public static String stringToSign(String method, String uri, String contentType, String timestamp,
            String appId, byte[] body) {
        return Native.stringToSign(method, uri, contentType, timestamp, appId, body);
    }

    /** The platform's meaning of a return code: {@code {code, name, zh, en}}, or null. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> lookupCode(String code) {
        return (Map<String, Object>) Native.lookupCode(code);
    }
}
