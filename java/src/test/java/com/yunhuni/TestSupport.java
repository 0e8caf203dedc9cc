package com.yunhuni;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** Shared helpers of the suite: the repository's vectors, JSON, names, and a recording HTTP stub. */
final class TestSupport {
    private TestSupport() {}

    static final Gson GSON = new Gson();

    static {
        // The JDK's server otherwise waits on delayed ACKs between headers and body.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    static Path root() {
        return Paths.get(System.getProperty("yunhuni.root", "..")).toAbsolutePath().normalize();
    }

    static JsonObject vectors(String name) throws IOException {
        Path p = root().resolve("tests/vectors").resolve(name);
        return JsonParser.parseString(new String(Files.readAllBytes(p), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** {@code max_call_duration} → {@code maxCallDuration}, as core's Casing::Camel. */
    static String camel(String snake) {
        StringBuilder out = new StringBuilder();
        boolean up = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                up = out.length() > 0;
            } else if (up) {
                out.append(Character.toUpperCase(c));
                up = false;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A JSON value as plain Java (Map, List, String, Long or Double, Boolean, null). */
    static Object plain(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet()) {
                m.put(en.getKey(), plain(en.getValue()));
            }
            return m;
        }
        if (e.isJsonArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) {
                l.add(plain(x));
            }
            return l;
        }
        if (e.getAsJsonPrimitive().isBoolean()) {
            return e.getAsBoolean();
        }
        if (e.getAsJsonPrimitive().isNumber()) {
            String t = e.getAsString();
            if (t.matches("-?\\d+")) {
                return Long.parseLong(t);
            }
            return e.getAsDouble();
        }
        return e.getAsString();
    }

    /** Keys of maps in camelCase, recursively. */
    @SuppressWarnings("unchecked")
    static Object camelKeys(Object v) {
        if (v instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, Object> en : ((Map<String, Object>) v).entrySet()) {
                m.put(camel(en.getKey()), camelKeys(en.getValue()));
            }
            return m;
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object x : (List<Object>) v) {
                l.add(camelKeys(x));
            }
            return l;
        }
        return v;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One request the stub received. */
    static final class Received {
        final String method;
        final String path;
        final String query;
        final byte[] body;

        Received(String method, String path, String query, byte[] body) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.body = body;
        }
    }

    /** An HTTP server on 127.0.0.1 that records each request and answers with what {@code answer} makes. */
    static final class Stub implements AutoCloseable {
        final HttpServer server;
        final List<Received> received = Collections.synchronizedList(new ArrayList<Received>());
        volatile Function<Received, Object> data = r -> callData();
        volatile String rawReply;
        volatile int status = 200;

        Stub() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", ex -> {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = readAll(in);
                }
                Received r = new Received(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                        ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery(), body);
                received.add(r);
                String reply = rawReply;
                if (reply == null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("code", "000000");
                    m.put("msg", "请求成功");
                    m.put("data", data.apply(r));
                    reply = GSON.newBuilder().serializeNulls().create().toJson(m);
                }
                byte[] out = reply.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
                ex.sendResponseHeaders(status, out.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            });
            server.setExecutor(Executors.newFixedThreadPool(8));
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        static Map<String, Object> callData() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("callId", "0123456789abcdef0123456789abcdef");
            m.put("user_data", null);
            return m;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
