package com.yunhuni.testing;

import com.yunhuni.Client;
import com.yunhuni.internal.Native;
import com.yunhuni.internal.NativeHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The platform simulator, started in this process on 127.0.0.1 (the sandbox of
 * {@code yunhuni-sandbox}, as Python's and Node's {@code testing} modules start it): the same
 * API, signature checks, call state machine and webhook bytes as the real platform, with
 * numbers scripted by {@link #setBehavior}. Close it (try-with-resources) to stop it.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.builder().callbackUrl("http://127.0.0.1:8080/hook").start();
 *      Client client = sandbox.client()) {
 *     CallCreated call = client.duoCallback(new Requests.DuoCallback("13800000001", "13800000002", 60));
 *     Event end = Events.parse(sandbox.waitForEnd(call.callId(), Duration.ofSeconds(30)));
 * }
 * }</pre>
 */
public final class Sandbox implements AutoCloseable {
    private final NativeHandle handle;
    private final String baseUrl;
    private final String appId;
    private final String certId;
    private final String secretKey;
    private final String accountId;

    private Sandbox(long address) {
        this.handle = new NativeHandle(this, address, Native::sandboxFree, "sandbox");
        List<?> info = (List<?>) handle.use(Native::sandboxInfo);
        this.baseUrl = (String) info.get(0);
        this.appId = (String) info.get(1);
        this.certId = (String) info.get(2);
        this.secretKey = (String) info.get(3);
        this.accountId = (String) info.get(4);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A sandbox with the default settings. */
    public static Sandbox start() {
        return builder().start();
    }

    /** {@code http://127.0.0.1:PORT}: the {@code baseUrl} of a client. */
    public String baseUrl() {
        return baseUrl;
    }

    public String appId() {
        return appId;
    }

    public String certId() {
        return certId;
    }

    public String secretKey() {
        return secretKey;
    }

    public String accountId() {
        return accountId;
    }

    /** A builder of a client with this sandbox's address and credentials. */
    public Client.Builder clientBuilder() {
        return Client.builder(appId, certId, secretKey).baseUrl(baseUrl);
    }

    /** A client of this sandbox. */
    public Client client() {
        return clientBuilder().build();
    }

    /**
     * Scripts a number: a map in the sandbox's form with camelCase keys, such as
     * {@code {answer=after, ms=2000, hangupAfterMs=5000}} or {@code {answer=busy}}.
     */
    public void setBehavior(String number, Map<String, ?> behavior) {
        handle.use(a -> {
            Native.sandboxSetBehavior(a, number, behavior);
            return null;
        });
    }

    public void clearBehavior(String number) {
        handle.use(a -> {
            Native.sandboxClearBehavior(a, number);
            return null;
        });
    }

    /** Sets the app's state as the platform sees it: {@code {online=false, testNumbers=[...]}}. */
    public void setAppSettings(Map<String, ?> settings) {
        handle.use(a -> {
            Native.sandboxSetAppSettings(a, settings);
            return null;
        });
    }

    /** Sets (or, null, removes) the callback URL for calls placed from now. */
    public void setCallbackUrl(String url) {
        handle.use(a -> {
            Native.sandboxSetCallbackUrl(a, url);
            return null;
        });
    }

    /** Every call kept, oldest first (maps with camelCase keys). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> calls() {
        return (List<Map<String, Object>>) handle.use(a -> Native.sandboxCalls(a, null));
    }

    /** One call, or null. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> call(String callId) {
        if (callId == null) {
            return null;
        }
        return (Map<String, Object>) handle.use(a -> Native.sandboxCalls(a, callId));
    }

    /** Every webhook attempt, or (callId not null) those of one call. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> webhooks(String callId) {
        return (List<Map<String, Object>>) handle.use(a -> Native.sandboxWebhooks(a, callId));
    }

    /**
     * The end event's exact body bytes once it is settled (delivered, failed four times, or
     * not sent for lack of a callback URL); a {@code timeout} {@link com.yunhuni.YunhuniException}
     * when it is not within {@code timeout}.
     */
    public byte[] waitForEnd(String callId, Duration timeout) {
        long ms = timeout.isNegative() ? -1 : timeout.toMillis();
        return handle.use(a -> Native.sandboxWaitForEnd(a, callId, ms));
    }

    /** Stops the sandbox (after the calls in flight). Idempotent. */
    @Override
    public void close() {
        handle.close();
    }

    /** The sandbox's settings. */
    public static final class Builder {
        private String listen;
        private String callbackUrl;
        private double timeScale = Double.NaN;
        private long webhookTimeoutMs = -1;
        private long apiDelayMs = -1;
        private long expiryMinutes = -1;
        private int utf8Webhooks = -1;
        private boolean log;

        private Builder() {}

        /** The address to listen on (default {@code 127.0.0.1:0}, a free port). */
        public Builder listen(String address) {
            this.listen = address;
            return this;
        }

        /** Where the end events are POSTed (none by default: they are kept, not sent). */
        public Builder callbackUrl(String url) {
            this.callbackUrl = url;
            return this;
        }

        /** How fast simulated time runs (default the sandbox's: calls end in well under a second). */
        public Builder timeScale(double scale) {
            this.timeScale = scale;
            return this;
        }

        public Builder webhookTimeout(Duration timeout) {
            this.webhookTimeoutMs = timeout.toMillis();
            return this;
        }

        public Builder apiDelay(Duration delay) {
            this.apiDelayMs = delay.toMillis();
            return this;
        }

        public Builder expiryMinutes(long minutes) {
            this.expiryMinutes = minutes;
            return this;
        }

        /** Webhook bodies in UTF-8 instead of the real server's ISO-8859-1. */
        public Builder utf8Webhooks(boolean utf8) {
            this.utf8Webhooks = utf8 ? 1 : 0;
            return this;
        }

        /** Log each request and webhook to stderr. */
        public Builder log(boolean log) {
            this.log = log;
            return this;
        }

        public Sandbox start() {
            return new Sandbox(Native.sandboxStart(listen, callbackUrl, timeScale, webhookTimeoutMs, apiDelayMs,
                    expiryMinutes, utf8Webhooks, log));
        }
    }
}
