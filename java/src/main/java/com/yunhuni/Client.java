package com.yunhuni;

import com.yunhuni.internal.Native;
import com.yunhuni.internal.NativeHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client of the platform's REST API: core's {@code Client} (signing, validation, HTTP with
 * kept-alive connections), held natively. One client is shared freely by every thread. A
 * typed method per operation ({@link #duoCallback}, {@link #confCreate}, ...), each with an
 * {@code ...Async} variant returning a {@link CompletableFuture} that runs on the client's
 * executor (a bounded pool shared by the SDK's clients, or one given to the builder), never on
 * the caller's thread.
 *
 * <pre>{@code
 * try (Client client = Client.fromEnv()) {
 *     CallCreated call = client.duoCallback(new Requests.DuoCallback("13800000001", "13800000002", 600));
 * }
 * }</pre>
 *
 * {@link #close} releases the native client once the calls in flight have returned; a client
 * never closed is released when it is garbage-collected.
 */
public final class Client extends ClientOperations implements AutoCloseable {
    private final NativeHandle handle;
    private final Executor executor;
    private final String appId;
    private final String certId;
    private final String accountId;
    private final String apiRoot;

    private Client(long address, Executor executor) {
        this.handle = new NativeHandle(this, address, Native::clientFree, "client");
        this.executor = executor == null ? SharedPool.POOL : executor;
        List<?> info = (List<?>) handle.use(Native::clientInfo);
        this.appId = (String) info.get(0);
        this.certId = (String) info.get(1);
        this.accountId = (String) info.get(2);
        this.apiRoot = (String) info.get(3);
    }

    /** A builder for a client with these credentials. */
    public static Builder builder(String appId, String certId, String secretKey) {
        return new Builder(false, appId, certId, secretKey);
    }

    /**
     * A builder from the environment: {@code YUNHUNI_APP_ID}, {@code YUNHUNI_CERT_ID},
     * {@code YUNHUNI_SECRET_KEY} (required), {@code YUNHUNI_BASE_URL} and
     * {@code YUNHUNI_ACCOUNT_ID} (optional), read by core when {@link Builder#build} is called.
     */
    public static Builder builderFromEnv() {
        return new Builder(true, null, null, null);
    }

    /** A client from the environment (see {@link #builderFromEnv}). */
    public static Client fromEnv() {
        return builderFromEnv().build();
    }

    public String appId() {
        return appId;
    }

    public String certId() {
        return certId;
    }

    /** The account in request paths (the cert id unless another was given). */
    public String accountId() {
        return accountId;
    }

    /** The URL every request path starts with. */
    public String apiRoot() {
        return apiRoot;
    }

    /**
     * Sends any request and returns the answer's {@code data}: a {@code Map} with
     * {@code callId} and {@code userData} for an operation that places a call, null for one
     * whose answer is null, else the data as it came ({@code Map}, {@code List}, {@code String},
     * {@code Long}, {@code Boolean}).
     */
    public Object request(Request request) {
        return request(request, null);
    }

    /** {@link #request(Request)} with this call's own timeout (null: the client's). */
    public Object request(Request request, Duration timeout) {
        if (request == null) {
            throw YunhuniException.validation("request", "is required");
        }
        final long ms = timeout == null ? -1 : millis("timeout", timeout);
        final String[] keys = request.fields().keySet().toArray(new String[0]);
        final Object[] values = request.fields().values().toArray();
        final String op = request.operation();
        return handle.use(address -> Native.clientCall(address, op, keys, values, ms));
    }

    /** {@link #request(Request)} on the client's executor. */
    public CompletableFuture<Object> requestAsync(Request request) {
        return requestAsync(request, null);
    }

    /** {@link #request(Request, Duration)} on the client's executor. */
    public CompletableFuture<Object> requestAsync(Request request, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> request(request, timeout), executor);
    }

    @Override
    protected Object send(Request request) {
        return request(request, null);
    }

    @Override
    protected CompletableFuture<Object> sendAsync(Request request) {
        return requestAsync(request, null);
    }

    /** Releases the native client once the calls in flight have returned. Idempotent. */
    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "Client(appId=" + appId + ", certId=" + certId + ", apiRoot=" + apiRoot + ")";
    }

    static long millis(String field, Duration d) {
        if (d.isNegative()) {
            throw YunhuniException.validation(field, "expected a duration >= 0, got " + d);
        }
        try {
            return d.toMillis();
        } catch (ArithmeticException e) {
            throw YunhuniException.validation(field, "is too long: " + d);
        }
    }

    /** The settings of a client; core checks each one when {@link #build} is called. */
    public static final class Builder {
        private final boolean fromEnv;
        private final String appId;
        private final String certId;
        private final String secretKey;
        private String baseUrl;
        private String accountId;
        private long timeoutMs = -1;
        private long connectTimeoutMs = -1;
        private String userAgent;
        private int connectRetries = -1;
        private int maxIdleConnections = -1;
        private String proxy;
        private boolean noProxy;
        private Executor executor;

        private Builder(boolean fromEnv, String appId, String certId, String secretKey) {
            this.fromEnv = fromEnv;
            this.appId = appId;
            this.certId = certId;
            this.secretKey = secretKey;
        }

        /** The platform's address (default the real one; a sandbox's {@code baseUrl} in tests). */
        public Builder baseUrl(String url) {
            this.baseUrl = url;
            return this;
        }

        /** The account in request paths, when it is not the cert id. */
        public Builder accountId(String id) {
            this.accountId = id;
            return this;
        }

        /** The longest a call may take, connecting included. */
        public Builder timeout(Duration timeout) {
            this.timeoutMs = millis("timeout", timeout);
            return this;
        }

        /** The longest connecting may take. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeoutMs = millis("connectTimeout", timeout);
            return this;
        }

        /** Text added to the {@code User-Agent} header. */
        public Builder userAgent(String suffix) {
            this.userAgent = suffix;
            return this;
        }

        /** How many times a connection that failed before anything was sent is tried again. */
        public Builder connectRetries(int retries) {
            if (retries < 0) {
                throw YunhuniException.validation("connectRetries", "expected an integer >= 0, got " + retries);
            }
            this.connectRetries = retries;
            return this;
        }

        /**
         * How many idle connections are kept open for reuse (default 64): the number of threads
         * sharing the client, so that none is reopened; 0 closes each connection after its
         * answer. Core refuses more than 65536 when {@link #build} is called.
         */
        public Builder maxIdleConnections(int connections) {
            if (connections < 0) {
                throw YunhuniException.validation("maxIdleConnections",
                        "expected a number of connections >= 0, got " + connections);
            }
            this.maxIdleConnections = connections;
            return this;
        }

        /** A proxy URL (default: {@code HTTPS_PROXY}/{@code HTTP_PROXY}/{@code ALL_PROXY}). */
        public Builder proxy(String url) {
            this.proxy = url;
            this.noProxy = false;
            return this;
        }

        /** No proxy, whatever the environment says. */
        public Builder noProxy() {
            this.proxy = null;
            this.noProxy = true;
            return this;
        }

        /** The executor of the {@code ...Async} methods (default: the SDK's bounded shared pool). */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        public Client build() {
            long address = Native.clientNew(fromEnv, appId, certId, secretKey, baseUrl, accountId, timeoutMs,
                    connectTimeoutMs, userAgent, connectRetries, maxIdleConnections, proxy, noProxy);
            return new Client(address, executor);
        }
    }

    /**
     * The default executor of the async methods: a fixed number of daemon threads (twice the
     * processors, at least 4, at most 64) with a queue, shared by every client.
     */
    static final class SharedPool {
        static final ThreadPoolExecutor POOL;

        static {
            int n = Math.max(4, Math.min(64, 2 * Runtime.getRuntime().availableProcessors()));
            AtomicInteger count = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "yunhuni-async-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            POOL = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<Runnable>(), factory);
            POOL.allowCoreThreadTimeOut(true);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
