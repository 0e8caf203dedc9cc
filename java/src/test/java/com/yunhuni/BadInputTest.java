package com.yunhuni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.yunhuni.internal.Native;
import com.yunhuni.ivr.Element;
import com.yunhuni.ivr.Ivr;
import com.yunhuni.ivr.Response;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Null, empty, huge, non-UTF-8 and wrongly typed input: a clear error naming what was wrong, never a crash. */
class BadInputTest {
    private static YunhuniException.Validation invalid(org.junit.jupiter.api.function.Executable f) {
        return assertThrows(YunhuniException.Validation.class, f);
    }

    private static String repeat(char c, int n) {
        char[] a = new char[n];
        Arrays.fill(a, c);
        return new String(a);
    }

    @Test
    void theSuiteRunsUnderCheckJni() {
        assertTrue(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xcheck:jni"),
                "surefire's argLine sets -Xcheck:jni");
    }

    @Test
    void eventBodies() {
        assertEquals("body", invalid(() -> Events.parse((byte[]) null)).field());
        assertEquals("body", invalid(() -> Events.parse((String) null)).field());
        assertThrows(YunhuniException.Decode.class, () -> Events.parse(new byte[0]));
        assertThrows(YunhuniException.Decode.class, () -> Events.parse("[]"));
        assertThrows(YunhuniException.Decode.class, () -> Events.parse("{\"event\":" + repeat('[', 100000)));
        byte[] huge = ("{\"event\":\"conf.end\",\"x\":\"" + repeat('a', 3 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThrows(YunhuniException.Decode.class, () -> Events.parse(huge));
        // Latin-1 bytes, as the real server sends them.
        byte[] latin1 = "{\"event\":\"duo_callback.end\",\"id\":\"x\",\"reason\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("caf\u00e9", Events.parse(latin1).get("reason"));
        Random r = new Random(7);
        int parsed = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] b = new byte[r.nextInt(64)];
            r.nextBytes(b);
            if (i % 3 == 0 && b.length > 2) {
                b[0] = '{';
                b[b.length - 1] = '}';
            }
            try {
                assertNotNull(Events.parse(b));
                parsed++;
            } catch (YunhuniException e) {
                assertEquals("decode", e.kind(), e.getMessage());
            }
        }
        assertTrue(parsed < 3000);
    }

    @Test
    void fieldsOfTheWrongType() throws Exception {
        try (TestSupport.Stub stub = new TestSupport.Stub();
                Client client = Client.builder("a", "c", "s").baseUrl(stub.url()).build()) {
            Requests.DuoCallback ok = new Requests.DuoCallback("13800000001", "13800000002", 60);
            assertEquals("userData", invalid(() -> client.request(ok.set("userData", new Object()))).field());
            assertEquals("userData", invalid(() -> client.request(ok.set("userData", 1.5))).field());
            assertEquals("userData", invalid(() -> client.request(ok.set("userData", Double.NaN))).field());
            assertEquals("userData", invalid(() -> client.request(ok.set("userData", new BigDecimal("1")))).field());
            assertEquals("userData", invalid(() -> client.request(ok.set("userData", "\ud800"))).field());
            assertEquals("userData", invalid(() -> client.request(ok.set("userData", repeat('x', 1 << 20)))).field());
            Map<Object, Object> badKeys = new HashMap<>();
            badKeys.put(1, "x");
            assertEquals("userData", invalid(() -> client.request(ok.set("userData", badKeys))).field());
            List<Object> cycle = new ArrayList<>();
            cycle.add(cycle);
            YunhuniException e = invalid(() -> client.request(ok.set("userData", cycle)));
            assertTrue(e.field().startsWith("userData"), e.field());
            Object deep = "x";
            for (int i = 0; i < 200; i++) {
                deep = Collections.singletonList(deep);
            }
            Object d = deep;
            invalid(() -> client.request(ok.set("userData", d)));
            invalid(() -> client.request(ok.set("", "x")));
            invalid(() -> client.request(ok.set(repeat('k', 100000), "x")));
            invalid(() -> client.request(Request.of(null)));
            invalid(() -> client.request(Request.of("")));
            invalid(() -> client.request(Request.of("\ud800")));
            invalid(() -> client.request(null));
            invalid(() -> client.duoCallback(null));
            invalid(() -> client.duoCallback(new Requests.DuoCallback(null, null, 60)));
            invalid(() -> client.notifyCall(new Requests.NotifyCall("13800000001").playContent(Arrays.asList(new Object(), null))));
            invalid(() -> client.request(ok, java.time.Duration.ofMillis(-1)));
            assertEquals(0, stub.received.size(), "nothing was sent");
            // The native layer refuses a released handle instead of reading freed memory.
            invalid(() -> Native.clientCall(0, "duo_callback", null, null, -1));
            invalid(() -> Native.clientCall(0, null, new String[] {null}, new Object[] {}, -1));
        }
    }

    @Test
    void ivrNextQueries() {
        assertEquals("query", invalid(() -> Events.parseIvrNext(null)).field());
        assertThrows(YunhuniException.class, () -> Events.parseIvrNext(repeat('%', 1 << 20)));
        assertThrows(YunhuniException.class, () -> Events.parseIvrNext("call_id=%ff%fe&type=\ud800"));
        assertEquals("get", Events.parseIvrNext("?call_id=c1&type=get&keys=12").action());
    }

    /** Clients and sandboxes never closed are released when collected: no native value leaks. */
    @Test
    void unclosedNativeValuesAreReleasedWhenCollected() throws Exception {
        int before = com.yunhuni.internal.NativeHandle.held();
        for (int i = 0; i < 2000; i++) {
            Client.builder("a", "c", "s").build();
        }
        for (int i = 0; i < 200 && com.yunhuni.internal.NativeHandle.held() > before; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(com.yunhuni.internal.NativeHandle.held() <= before,
                com.yunhuni.internal.NativeHandle.held() + " still held, " + before + " before");
    }

    @Test
    void signingArguments() {
        assertEquals("method", invalid(() -> Yunhuni.sign(null, "/", null, "20170301120000", "a", "s", null)).field());
        assertEquals("secretKey", invalid(() -> Yunhuni.sign("POST", "/", null, "20170301120000", "a", null, null)).field());
        assertNotNull(Yunhuni.sign("POST", "/", null, "20170301120000", "a", "s", new byte[1 << 20]));
        assertNotNull(Yunhuni.stringToSign("GET", "/x?y", "", "", "", null));
    }

    @Test
    void ivrDocuments() {
        String xml = new Response().action(new Ivr.Play("welcome.wav")).next("https://app.example.com/ivr/next").toXml();
        assertTrue(xml.contains("<play>welcome.wav</play>"), xml);
        invalid(() -> new Response().action(new Ivr.Play("welcome.wav")).toXml());
        invalid(() -> new Response().action(null).endCall().toXml());
        invalid(() -> new Response().action(Element.of("nope")).endCall().toXml());
        invalid(() -> new Response().action(Element.of("play").attr("repeat", new Object()).text("a.wav")).endCall().toXml());
        invalid(() -> new Response().action(new Ivr.Play("\ud800.wav")).endCall().toXml());
        invalid(() -> Response.toXml(null));
        invalid(() -> Native.ivrToXml("not a map"));
        Element deep = Element.of("get");
        for (int i = 0; i < 100; i++) {
            deep = Element.of("get").child(deep);
        }
        Element d = deep;
        invalid(() -> new Response().action(d).endCall().toXml());
    }

    @Test
    void sandboxArguments() {
        try (com.yunhuni.testing.Sandbox sandbox = com.yunhuni.testing.Sandbox.start()) {
            assertEquals("number", invalid(() -> sandbox.setBehavior(null, Collections.singletonMap("answer", "busy"))).field());
            assertEquals("behavior", invalid(() -> sandbox.setBehavior("13800000001", null)).field());
            assertEquals("callId", invalid(() -> sandbox.waitForEnd(null, java.time.Duration.ZERO)).field());
        }
    }
}
