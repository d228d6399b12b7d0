package io.microstore.store.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stand-in until the selector library lands: {@code order=/a,-/b} over top-level members whose values are
 * strings (a missing member or any other value sorts first, as missing); the name is not part of it.
 */
public final class Order {
    private static final Pattern PATH = Pattern.compile("(-?)(/[A-Za-z0-9_]*)");
    private final List<String> members;
    private final List<Boolean> descending;

    private Order(List<String> members, List<Boolean> descending) {
        this.members = members;
        this.descending = descending;
    }

    public static Order byName() {
        return new Order(List.of(), List.of());
    }

    public static Order parse(String order) {
        List<String> members = new ArrayList<>();
        List<Boolean> descending = new ArrayList<>();
        for (String part : order.split(",", -1)) {
            Matcher m = PATH.matcher(part);
            if (!m.matches()) {
                throw new BadQuery("order: '" + part + "' is not a JSON Pointer, optionally prefixed by '-'");
            }
            descending.add(!m.group(1).isEmpty());
            members.add(m.group(2).substring(1));
        }
        return new Order(members, descending);
    }

    public boolean byNameOnly() {
        return members.isEmpty();
    }

    int size() {
        return members.size();
    }

    public SortKey key(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        List<String> values = new ArrayList<>();
        for (String member : members) {
            Matcher m = Pattern.compile("\"" + Pattern.quote(member) + "\":\"([^\"\\\\]*)\"")
                    .matcher(text);
            values.add(text.startsWith("{") && m.find() ? m.group(1) : null);
        }
        return new SortKey(values);
    }

    public Comparator<SortKey> comparator() {
        return (a, b) -> {
            for (int i = 0; i < members.size(); i++) {
                String x = a.values.get(i);
                String y = b.values.get(i);
                int c = x == null ? (y == null ? 0 : -1) : y == null ? 1 : x.compareTo(y);
                if (c != 0) {
                    return descending.get(i) ? -c : c;
                }
            }
            return 0;
        };
    }

    public String canonical() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < members.size(); i++) {
            s.append(i > 0 ? "," : "").append(descending.get(i) ? "-/" : "/").append(members.get(i));
        }
        return s.toString();
    }
}
