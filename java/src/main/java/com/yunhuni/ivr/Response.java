package com.yunhuni.ivr;

import com.yunhuni.internal.Native;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The document an IVR application answers the platform with: actions, then either
 * {@link #next(String)} (the URL the platform requests when they are done) or
 * {@link #endCall()}. {@link #toXml()} is core's: it refuses what the platform would refuse or
 * misread, naming element and attribute.
 *
 * <pre>{@code
 * String xml = new Response()
 *     .action(new Ivr.Get().maxDigits(1).child(new Ivr.Play("menu.wav")))
 *     .next("https://app.example.com/ivr/next")
 *     .toXml();
 * }</pre>
 */
public final class Response {
    private final List<Element> actions = new ArrayList<>();
    private String next;
    private boolean endCall;

    /** Adds an action (an element that may stand directly inside {@code <response>}). */
    public Response action(Element action) {
        actions.add(action);
        return this;
    }

    /** The URL the platform requests when the actions are done. */
    public Response next(String url) {
        this.next = url;
        return this;
    }

    /** Ends the call when the actions are done (no {@code <next>}). */
    public Response endCall() {
        this.endCall = true;
        return this;
    }

    /** The neutral description core reads: {@code {actions, next, endCall}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> list = new ArrayList<>();
        for (Element a : actions) {
            list.add(a == null ? null : a.toMap());
        }
        m.put("actions", list);
        if (next != null) {
            m.put("next", next);
        }
        if (endCall) {
            m.put("endCall", true);
        }
        return m;
    }

    /** The XML document, checked by core. */
    public String toXml() {
        return Native.ivrToXml(toMap());
    }

    /** Core's XML of a neutral description ({@code {actions: [{name, attrs, text, children}], next, endCall}}). */
    public static String toXml(Map<String, Object> description) {
        return Native.ivrToXml(description);
    }
}
