package io.microstore.store.query;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.microstore.json.CompactJson;
import io.microstore.json.MalformedJson;

/**
 * The values of one app at an {@link Order}'s pointers, in the order's total order (missing sorts first). Encoded
 * for a cursor as base64url of a JSON array holding, per pointer, {@code [value]} or {@code []} when missing.
 */
public final class SortKey {
    private final Value[] values; // null: missing

    SortKey(Value[] values) {
        this.values = values;
    }

    Value value(int i) {
        return values[i];
    }

    /** The total order with missing first. */
    static int compare(Value a, Value b) {
        if (a == null || b == null) {
            return a == b ? 0 : a == null ? -1 : 1;
        }
        return a.compareTo(b);
    }

    /** URL-safe text of these values; numbers in one spelling (see decode). */
    public String encode() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append('[');
            if (values[i] != null) {
                values[i].writeCanonical(out);
            }
            out.append(']');
        }
        out.append(']');
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @throws BadQuery when {@code s} is not an encoded key with one value per pointer of {@code order} */
    public static SortKey decode(String s, Order order) {
        Value list;
        try {
            byte[] json = Base64.getUrlDecoder().decode(s);
            list = Value.read(CompactJson.compact(json));
        } catch (IllegalArgumentException | MalformedJson e) {
            throw new BadQuery("cursor: not a cursor of this query");
        }
        if (list.kind != Kind.ARRAY || list.items.size() != order.size()) {
            throw new BadQuery("cursor: not a cursor of this query's order");
        }
        Value[] values = new Value[order.size()];
        for (int i = 0; i < values.length; i++) {
            Value v = list.items.get(i);
            if (v.kind != Kind.ARRAY || v.items.size() > 1) {
                throw new BadQuery("cursor: not a cursor of this query's order");
            }
            values[i] = v.items.isEmpty() ? null : v.items.getFirst();
        }
        return new SortKey(values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SortKey k && java.util.Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return new String(Base64.getUrlDecoder().decode(encode()), StandardCharsets.UTF_8);
    }
}
