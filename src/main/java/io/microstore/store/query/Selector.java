package io.microstore.store.query;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stand-in for the {@code where} selector until the selector library lands: {@code {}} and equality of
 * top-level string members, {@code {"/ptr": "value"}}, nothing else; enough to wire and test the HTTP side.
 */
public final class Selector {
    private static final Pattern MEMBER = Pattern.compile("\\s*\"(/[A-Za-z0-9_]*)\"\\s*:\\s*\"([^\"\\\\]*)\"\\s*");
    private final Map<String, String> equal;

    private Selector(Map<String, String> equal) {
        this.equal = equal;
    }

    public static Selector all() {
        return new Selector(Map.of());
    }

    public static Selector parse(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8).trim();
        if (!text.startsWith("{") || !text.endsWith("}")) {
            throw new BadQuery("where must be a JSON object, not " + text);
        }
        String body = text.substring(1, text.length() - 1).trim();
        Map<String, String> equal = new TreeMap<>();
        if (!body.isEmpty()) {
            for (String member : body.split(",")) {
                Matcher m = MEMBER.matcher(member);
                if (!m.matches()) {
                    throw new BadQuery("where: cannot read '" + member.trim() + "'");
                }
                equal.put(m.group(1), m.group(2));
            }
        }
        return new Selector(equal);
    }

    public boolean matches(byte[] data) {
        if (equal.isEmpty()) {
            return true;
        }
        String text = new String(data, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : equal.entrySet()) {
            String member = "\"" + e.getKey().substring(1) + "\":\"" + e.getValue() + "\"";
            if (!text.startsWith("{") || !text.contains(member)) {
                return false;
            }
        }
        return true;
    }

    public String canonical() {
        StringBuilder s = new StringBuilder("{");
        equal.forEach((k, v) -> s.append(s.length() > 1 ? "," : "")
                .append('"')
                .append(k)
                .append("\":\"")
                .append(v)
                .append('"'));
        return s.append('}').toString();
    }
}
