package com.yunhuni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.yunhuni.testing.Sandbox;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every error kind from a real condition, with its code, status, field and platform message. */
class ErrorsTest {
    private static final String SECRET = "NEVER-SHOWN-5d8f2a7c9e1b4d6fa3c0";
    private static final List<YunhuniException> SEEN = new ArrayList<>();
    private static Sandbox sandbox;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.builder().timeScale(200).start();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
        for (YunhuniException e : SEEN) {
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            assertFalse(w.toString().contains(SECRET), w.toString());
        }
    }

    private static <T extends YunhuniException> T expect(Class<T> type, String kind, Executable f) {
        T e = assertThrows(type, f);
        SEEN.add(e);
        assertEquals(kind, e.kind(), e.getMessage());
        if (!kind.equals("transport") && !kind.equals("timeout")) {
            assertFalse(e.maybeSent(), e.getMessage());
        }
        return e;
    }

    private static Requests.DuoCallback call() {
        return new Requests.DuoCallback("13800000001", "13800000002", 60);
    }

    @Test
    void api() {
        try (Client client = sandbox.client()) {
            YunhuniException.Api e = expect(YunhuniException.Api.class, "api",
                    () -> client.duoCallbackCancel(new Requests.DuoCallbackCancel("0123456789abcdef0123456789abcdef")));
            assertEquals("020000", e.code());
            assertEquals(Integer.valueOf(200), e.status());
            assertNull(e.field());
            assertTrue(e.platformMessage() != null && e.getMessage().contains(e.platformMessage()), e.getMessage());
        }
    }

    @Test
    void auth() {
        try (Client client = Client.builder(sandbox.appId(), sandbox.certId(), SECRET).baseUrl(sandbox.baseUrl()).build()) {
            YunhuniException.Auth e = expect(YunhuniException.Auth.class, "auth", () -> client.duoCallback(call()));
            assertEquals(Integer.valueOf(401), e.status());
            assertNull(e.code());
        }
    }

    @Test
    void validationNamesTheFieldAndSendsNothing() {
        try (Client client = sandbox.client()) {
            int before = sandbox.calls().size();
            YunhuniException.Validation e = expect(YunhuniException.Validation.class, "validation",
                    () -> client.duoCallback(new Requests.DuoCallback("13800000001", "13800000001", 60)));
            assertEquals("to2", e.field());
            e = expect(YunhuniException.Validation.class, "validation",
                    () -> client.duoCallback(new Requests.DuoCallback("13800000001", "13800000002", 0)));
            assertEquals("maxCallDuration", e.field());
            e = expect(YunhuniException.Validation.class, "validation",
                    () -> client.request(Request.of("duo_callback").set("to1", "13800000001").set("to2", "13800000002")
                            .set("maxCallDuration", "60")));
            assertEquals("maxCallDuration", e.field());
            e = expect(YunhuniException.Validation.class, "validation",
                    () -> client.request(call().set("noSuchField", 1)));
            assertEquals("noSuchField", e.field());
            e = expect(YunhuniException.Validation.class, "validation",
                    () -> client.request(Request.of("no_such_operation")));
            assertEquals(before, sandbox.calls().size());
        }
    }

    @Test
    void http() throws Exception {
        try (TestSupport.Stub stub = new TestSupport.Stub();
                Client client = Client.builder("a", "c", SECRET).baseUrl(stub.url()).build()) {
            stub.status = 502;
            stub.rawReply = "<html>bad gateway</html>";
            YunhuniException.Http e = expect(YunhuniException.Http.class, "http", () -> client.duoCallback(call()));
            assertEquals(Integer.valueOf(502), e.status());
        }
    }

    @Test
    void decode() throws Exception {
        try (TestSupport.Stub stub = new TestSupport.Stub();
                Client client = Client.builder("a", "c", SECRET).baseUrl(stub.url()).build()) {
            stub.rawReply = "{not json";
            YunhuniException.Decode e = expect(YunhuniException.Decode.class, "decode", () -> client.duoCallback(call()));
            assertEquals(Integer.valueOf(200), e.status());
        }
    }

    @Test
    void transport() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Client client = Client.builder("a", "c", SECRET).baseUrl("http://127.0.0.1:" + port).build()) {
            YunhuniException.Transport e = expect(YunhuniException.Transport.class, "transport",
                    () -> client.duoCallback(call()));
            assertFalse(e.maybeSent(), "refused before anything was written");
            assertNull(e.status());
        }
    }

    @Test
    void timeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                Client client = Client.builder("a", "c", SECRET)
                        .baseUrl("http://127.0.0.1:" + silent.getLocalPort())
                        .timeout(Duration.ofMillis(300)).build()) {
            YunhuniException.Timeout e = expect(YunhuniException.Timeout.class, "timeout",
                    () -> client.duoCallback(call()));
            assertNull(e.code());
            // The async variant fails the same way, on the client's executor.
            CompletionException c = assertThrows(CompletionException.class,
                    () -> client.duoCallbackAsync(call()).join());
            assertTrue(c.getCause() instanceof YunhuniException.Timeout, String.valueOf(c.getCause()));
        }
    }

    @Test
    void clientSettingsAreCheckedByCore() {
        YunhuniException e = expect(YunhuniException.Validation.class, "validation",
                () -> Client.builder("a", "c", "s").timeout(Duration.ZERO).build());
        assertTrue(e.field() != null && e.field().toLowerCase().contains("timeout"), e.field());
        expect(YunhuniException.Validation.class, "validation", () -> Client.builder(null, "c", "s").build());
        expect(YunhuniException.Validation.class, "validation",
                () -> Client.builder("a", "c", "s").baseUrl("not a url").build());
    }

    @Test
    void maxIdleConnections() throws Exception {
        try (TestSupport.Stub stub = new TestSupport.Stub()) {
            for (int n : new int[] {0, 1, 65536}) {
                try (Client client = Client.builder("a", "c", SECRET).baseUrl(stub.url()).maxIdleConnections(n).build()) {
                    assertNotNull(client.duoCallback(call()).callId());
                    assertNotNull(client.duoCallback(call()).callId());
                }
            }
            assertEquals(6, stub.received.size());
        }
        YunhuniException e = expect(YunhuniException.Validation.class, "validation",
                () -> Client.builder("a", "c", SECRET).maxIdleConnections(65537).build());
        assertEquals("max_idle_connections", e.field());
        assertTrue(e.getMessage().contains("65537 is more than 65536"), e.getMessage());
        e = expect(YunhuniException.Validation.class, "validation",
                () -> Client.builder("a", "c", SECRET).maxIdleConnections(-1));
        assertEquals("maxIdleConnections", e.field());
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void fromEnvNamesTheMissingVariable() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("YUNHUNI_APP_ID") == null,
                "YUNHUNI_APP_ID is set in this environment");
        YunhuniException e = expect(YunhuniException.Validation.class, "validation", Client::fromEnv);
        assertTrue(e.getMessage().contains("YUNHUNI_APP_ID"), e.getMessage());
    }

    @Test
    void aClosedClientSaysSo() {
        Client client = sandbox.client();
        client.close();
        client.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> client.duoCallback(call()));
        assertTrue(e.getMessage().contains("closed"));
    }

    @Test
    void codesAreLookedUp() {
        assertEquals("020000", Yunhuni.lookupCode("020000").get("code"));
        assertNull(Yunhuni.lookupCode("999999"));
        assertNull(Yunhuni.lookupCode(null));
    }
}
