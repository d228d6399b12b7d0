package io.microstore.store.query;

import java.util.List;

/** Stand-in until the selector library lands: an app's values at an {@link Order}'s paths (null: missing). */
public final class SortKey {
    final List<String> values;

    SortKey(List<String> values) {
        this.values = values;
    }

    public String encode() {
        StringBuilder s = new StringBuilder();
        for (String v : values) {
            s.append(v == null ? "-" : "+" + v.length() + ":" + v);
        }
        return s.toString();
    }

    public static SortKey decode(String s, Order order) {
        List<String> values = new java.util.ArrayList<>();
        int i = 0;
        try {
            while (i < s.length()) {
                if (s.charAt(i) == '-') {
                    values.add(null);
                    i++;
                    continue;
                }
                if (s.charAt(i) != '+') {
                    throw new BadQuery("not a sort key");
                }
                int colon = s.indexOf(':', i);
                int len = Integer.parseInt(s.substring(i + 1, colon));
                values.add(s.substring(colon + 1, colon + 1 + len));
                i = colon + 1 + len;
            }
        } catch (RuntimeException e) {
            throw new BadQuery("not a sort key: " + s);
        }
        if (values.size() != order.size()) {
            throw new BadQuery("not a sort key of this order: " + s);
        }
        return new SortKey(values);
    }
}
