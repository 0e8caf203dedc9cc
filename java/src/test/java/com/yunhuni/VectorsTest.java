package com.yunhuni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.yunhuni.ivr.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared vectors of tests/vectors, through the Java API. */
class VectorsTest {
    private static final String CERT = "vector-cert";
    private static final String ROOT = "/v1/account/" + CERT + "/";

    @Test
    void signing() throws Exception {
        int n = 0;
        for (JsonElement e : TestSupport.vectors("signing.json").getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            byte[] body = TestSupport.hex(c.get("body_hex").getAsString());
            String name = c.get("name").getAsString();
            String toSign = Yunhuni.stringToSign(c.get("method").getAsString(), c.get("uri").getAsString(),
                    c.get("content_type").getAsString(), c.get("timestamp").getAsString(),
                    c.get("app_id").getAsString(), body);
            assertEquals(c.get("string_to_sign").getAsString(), toSign, name);
            String sig = Yunhuni.sign(c.get("method").getAsString(), c.get("uri").getAsString(),
                    c.get("content_type").getAsString(), c.get("timestamp").getAsString(),
                    c.get("app_id").getAsString(), c.get("secret_key").getAsString(), body);
            assertEquals(c.get("signature").getAsString(), sig, name);
            n++;
        }
        assertTrue(n >= 5, n + " signing vectors");
    }

    @Test
    void events() throws Exception {
        int typed = 0;
        int refused = 0;
        for (JsonElement e : TestSupport.vectors("events.json").getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            byte[] body = TestSupport.hex(c.get("body_hex").getAsString());
            JsonObject expect = c.getAsJsonObject("expect");
            if (expect.size() == 1 && expect.has("error")) {
                YunhuniException err = assertThrows(YunhuniException.class, () -> Events.parse(body), name);
                assertEquals(expect.get("error").getAsString(), err.kind(), name);
                assertTrue(err instanceof YunhuniException.Decode, name);
                refused++;
                continue;
            }
            Event event = Events.parse(body);
            assertEquals(TestSupport.plain(expect), normalize(event.toMap()), name);
            if (!(event instanceof Events.OtherEvent)) {
                typed++;
                assertEquals(event.type(), event.event(), name);
            }
        }
        assertTrue(typed >= 5 && refused >= 3, typed + " typed, " + refused + " refused");
    }

    /** Numbers as the JSON reader gives them (whole numbers as Long). */
    @SuppressWarnings("unchecked")
    private static Object normalize(Object v) {
        if (v instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                m.put(e.getKey(), normalize(e.getValue()));
            }
            return m;
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object x : (List<Object>) v) {
                l.add(normalize(x));
            }
            return l;
        }
        if (v instanceof Double && ((Double) v) == Math.rint((Double) v) && !((Double) v).isInfinite()
                && Math.abs((Double) v) < 1e15) {
            return ((Double) v).longValue();
        }
        return v;
    }

    /** Every getter of a typed event gives its key's value in the view. */
    @Test
    void everyGetterReadsItsKey() throws Exception {
        int checked = 0;
        java.util.Set<Class<?>> classes = new java.util.HashSet<>();
        for (JsonElement e : TestSupport.vectors("events.json").getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            if (c.getAsJsonObject("expect").has("type") || !c.getAsJsonObject("expect").has("error")) {
                Event event;
                try {
                    event = Events.parse(TestSupport.hex(c.get("body_hex").getAsString()));
                } catch (YunhuniException x) {
                    continue;
                }
                if (event instanceof Events.OtherEvent) {
                    continue;
                }
                classes.add(event.getClass());
                for (Map.Entry<String, Object> kv : event.toMap().entrySet()) {
                    java.lang.reflect.Method m;
                    try {
                        m = event.getClass().getMethod(TestSupport.camel(kv.getKey()));
                    } catch (NoSuchMethodException none) {
                        continue;
                    }
                    if (m.getDeclaringClass() == Event.class) {
                        continue;
                    }
                    Object got = m.invoke(event);
                    Object want = kv.getValue();
                    if (want instanceof Double) {
                        want = ((Double) want).longValue();
                    }
                    assertEquals(want == null ? null : want instanceof Long ? want : want.toString(), got,
                            c.get("name").getAsString() + ": " + m.getName());
                    checked++;
                }
            }
        }
        assertTrue(classes.size() >= 5 && checked >= 50, classes + ", " + checked + " getters");
    }

    @Test
    void ivrRequests() throws Exception {
        JsonObject v = TestSupport.vectors("ivr.json");
        int n = 0;
        for (JsonElement e : v.getAsJsonArray("ivr_start")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            byte[] body = TestSupport.hex(c.get("body_hex").getAsString());
            JsonObject expect = c.getAsJsonObject("expect");
            String wantField = expect.has("field") && !expect.get("field").isJsonNull() ? expect.get("field").getAsString() : null;
            if (!expect.has("type") && "action".equals(wantField)) {
                // Not an ivr_start request: read as the webhook event it is, or refused.
                try {
                    assertFalse(Events.parse(body) instanceof Events.IvrStart, name);
                } catch (YunhuniException.Decode refused) {
                    assertEquals("decode", refused.kind());
                }
            } else if (!expect.has("type")) {
                YunhuniException err = assertThrows(YunhuniException.Decode.class, () -> Events.parse(body), name);
                assertEquals(wantField, err.field(), name);
            } else {
                Event event = Events.parse(body);
                assertTrue(event instanceof Events.IvrStart, name + ": " + event);
                assertEquals(TestSupport.plain(expect), normalize(event.toMap()), name);
                assertEquals(expect.get("call_id").isJsonNull() ? null : expect.get("call_id").getAsString(),
                        ((Events.IvrStart) event).callId(), name);
            }
            n++;
        }
        for (JsonElement e : v.getAsJsonArray("next")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            String query = c.get("query").getAsString();
            JsonObject expect = c.getAsJsonObject("expect");
            if (expect.has("error") && !expect.has("type")) {
                YunhuniException err = assertThrows(YunhuniException.class, () -> Events.parseIvrNext(query), name);
                assertEquals(expect.get("error").getAsString(), err.kind(), name);
            } else {
                Events.IvrNext next = Events.parseIvrNext(query);
                assertEquals(TestSupport.plain(expect), normalize(next.toMap()), name);
                assertEquals(expect.get("action").isJsonNull() ? null : expect.get("action").getAsString(), next.action(), name);
            }
            n++;
        }
        assertTrue(n >= 40, n + " ivr request vectors");
    }

    @Test
    void typedIvrBuilders() {
        String xml = new Response().action(new com.yunhuni.ivr.Ivr.Play("welcome.wav"))
                .next("https://app.example.com/ivr/next").toXml();
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><play>welcome.wav</play>"
                + "<next>https://app.example.com/ivr/next</next></response>", xml);
        String menu = new Response()
                .action(new com.yunhuni.ivr.Ivr.Get().child(new com.yunhuni.ivr.Ivr.Play("menu.wav")))
                .next("https://app.example.com/ivr/next").toXml();
        assertTrue(menu.contains("<get") && menu.contains("<play>menu.wav</play></get>"), menu);
        YunhuniException e = assertThrows(YunhuniException.class,
                () -> new Response().action(new com.yunhuni.ivr.Ivr.Play("welcome.mp3")).endCall().toXml());
        assertEquals("validation", e.kind());
        assertTrue(e.field().startsWith("play"), e.field());
    }

    @Test
    void typedEventGetters() {
        String body = "{\"end_time\":1490930460000,\"begin_time\":1490930400000,\"action\":\"event_notify\","
                + "\"id\":\"8a2bc6725b1d2e3f015b1d2f40a10001\",\"answer_time2\":1490930420000,"
                + "\"user_data\":\"order-42\",\"event\":\"duo_callback.end\",\"answer_time1\":1490930410000,\"hangup_by\":\"1\"}";
        Event e = Events.parse(body.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(e instanceof Events.DuoCallbackEnd, e.toString());
        Events.DuoCallbackEnd end = (Events.DuoCallbackEnd) e;
        assertEquals("8a2bc6725b1d2e3f015b1d2f40a10001", end.id());
        assertEquals("order-42", end.userData());
        assertEquals(Long.valueOf(1490930410000L), end.answerTime1());
        assertEquals(Long.valueOf(1L), end.hangupBy());
        assertEquals("connected", end.get("outcome"));
        assertNull(end.subaccountId());
        Event other = Events.parse("{\"event\":\"no_such.event\",\"id\":\"c1\",\"x\":[1,2]}");
        assertTrue(other instanceof Events.OtherEvent);
        assertEquals("no_such.event", other.event());
        assertEquals("c1", ((Events.OtherEvent) other).fields().get("id"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void ivrDocuments() throws Exception {
        int written = 0;
        int refused = 0;
        for (JsonElement e : TestSupport.vectors("ivr.json").getAsJsonArray("documents")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            Object description = camelDescription(TestSupport.plain(c.get("response")));
            JsonObject expect = c.getAsJsonObject("expect");
            if (expect.has("xml")) {
                assertEquals(expect.get("xml").getAsString(), Response.toXml((Map<String, Object>) description), name);
                written++;
            } else {
                Object d = description;
                YunhuniException err = assertThrows(YunhuniException.class, () -> callToXml(d), name);
                assertEquals("validation", err.kind(), name + ": " + err.getMessage());
                String field = expect.get("field").getAsString();
                assertTrue(field.equals(err.field()) || camelLast(field).equals(err.field()),
                        name + ": expected field " + field + ", got " + err.field() + " (" + err.getMessage() + ")");
                refused++;
            }
        }
        assertTrue(written >= 20 && refused >= 20, written + " written, " + refused + " refused");
    }

    @SuppressWarnings("unchecked")
    private static String callToXml(Object d) {
        if (d instanceof Map) {
            return Response.toXml((Map<String, Object>) d);
        }
        return com.yunhuni.internal.Native.ivrToXml(d);
    }

    /** The last segment of a field path in camelCase ({@code dial.max_call_duration} → {@code dial.maxCallDuration}). */
    private static String camelLast(String path) {
        int dot = path.lastIndexOf('.');
        return path.substring(0, dot + 1) + TestSupport.camel(path.substring(dot + 1));
    }

    /** The vectors' snake_case description as the Java builder writes it: attrs and end_call in camelCase. */
    @SuppressWarnings("unchecked")
    private static Object camelDescription(Object v) {
        if (!(v instanceof Map)) {
            return v;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
            String k = e.getKey();
            Object x = e.getValue();
            if (k.equals("end_call")) {
                k = "endCall";
            } else if (k.equals("attrs") && x instanceof Map) {
                Map<String, Object> attrs = new LinkedHashMap<>();
                for (Map.Entry<String, Object> a : ((Map<String, Object>) x).entrySet()) {
                    attrs.put(TestSupport.camel(a.getKey()), a.getValue());
                }
                x = attrs;
            } else if ((k.equals("actions") || k.equals("children")) && x instanceof List) {
                List<Object> l = new ArrayList<>();
                for (Object y : (List<Object>) x) {
                    l.add(camelDescription(y));
                }
                x = l;
            }
            m.put(k, x);
        }
        return m;
    }

    @Test
    void requests() throws Exception {
        try (TestSupport.Stub stub = new TestSupport.Stub();
                Client client = Client.builder("vector-app", CERT, "vector-secret").baseUrl(stub.url()).build()) {
            stub.data = r -> r.path.endsWith("/call/duo_callback_cancel") ? null : TestSupport.Stub.callData();
            int sent = 0;
            int refused = 0;
            for (JsonElement e : TestSupport.vectors("requests.json").getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                String name = c.get("name").getAsString();
                Request request = Request.of(c.get("operation").getAsString());
                Map<String, Object> params = (Map<String, Object>) TestSupport.plain(c.get("params"));
                for (Map.Entry<String, Object> p : params.entrySet()) {
                    request.set(TestSupport.camel(p.getKey()), TestSupport.camelKeys(p.getValue()));
                }
                JsonObject expect = c.getAsJsonObject("expect");
                int before = stub.received.size();
                if (expect.has("error")) {
                    YunhuniException err = assertThrows(YunhuniException.class, () -> client.request(request), name);
                    assertEquals("validation", err.kind(), name + ": " + err.getMessage());
                    assertEquals(jsField(expect.get("field").getAsString()), err.field(), name + ": " + err.getMessage());
                    assertEquals(before, stub.received.size(), name + ": nothing sent");
                    refused++;
                    continue;
                }
                Object result = client.request(request);
                assertEquals(before + 1, stub.received.size(), name + ": one request");
                TestSupport.Received got = stub.received.get(before);
                assertEquals(expect.has("method") ? expect.get("method").getAsString() : "POST", got.method, name);
                assertEquals(ROOT + expect.get("path").getAsString(), got.path, name);
                assertEquals(expect.get("query").getAsString(), got.query, name);
                if (expect.get("body").isJsonNull()) {
                    assertEquals(0, got.body.length, name + ": no body");
                } else {
                    assertArrayEquals(expect.get("body").getAsString().getBytes(StandardCharsets.UTF_8), got.body,
                            name + ": " + new String(got.body, StandardCharsets.UTF_8));
                }
                if (got.path.endsWith("/call/duo_callback_cancel")) {
                    assertNull(result, name);
                }
                sent++;
            }
            assertTrue(sent >= 60 && refused >= 20, sent + " sent, " + refused + " refused");
            assertEquals(sent, stub.received.size());
        }
    }

    /** A field path of the vectors ({@code skills[0].max_score}) as Java names it ({@code skills[0].maxScore}). */
    static String jsField(String path) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[A-Za-z0-9_]+").matcher(path);
        StringBuffer out = new StringBuffer();
        while (m.find()) {
            m.appendReplacement(out, TestSupport.camel(m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
