package com.yunhuni.ivr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One element of an IVR document: its name, attributes (camelCase names), text and children.
 * The typed elements of {@link Ivr} (such as {@link Ivr.Play}) are its subclasses, generated
 * from core's declarations; core checks the whole document when {@link Response#toXml} is
 * called (ranges, keys, files, which children may stand where), naming element and attribute.
 */
public class Element {
    private final String name;
    private final LinkedHashMap<String, Object> attrs = new LinkedHashMap<>();
    private final List<Element> children = new ArrayList<>();
    private String text;

    protected Element(String name) {
        this.name = name;
    }

    /** An element of any name (core refuses a name it does not declare). */
    public static Element of(String name) {
        return new Element(name);
    }

    /** Sets an attribute (camelCase name) to a String, Integer, Long or Boolean; null removes it. */
    public Element attr(String name, Object value) {
        putAttr(name, value);
        return this;
    }

    /** Adds a child element. */
    public Element child(Element child) {
        addChild(child);
        return this;
    }

    /** Sets the element's text. */
    public Element text(String text) {
        setText(text);
        return this;
    }

    protected final void putAttr(String name, Object value) {
        if (value == null) {
            attrs.remove(name);
        } else {
            attrs.put(name, value);
        }
    }

    protected final void addChild(Element child) {
        children.add(child);
    }

    protected final void setText(String text) {
        this.text = text;
    }

    public String name() {
        return name;
    }

    /** The neutral description core reads: {@code {name, attrs, text, children}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        if (!attrs.isEmpty()) {
            m.put("attrs", new LinkedHashMap<>(attrs));
        }
        if (text != null) {
            m.put("text", text);
        }
        if (!children.isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (Element c : children) {
                list.add(c == null ? null : c.toMap());
            }
            m.put("children", list);
        }
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
