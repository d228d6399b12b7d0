package io.microstore.store.query;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.microstore.json.CodePoints;
import io.microstore.json.JsonText;

/**
 * A JSON value read from compact bytes, for comparing: numbers as exact decimals, strings decoded, object
 * members sorted by name in code point order (a repeated name: the last one wins, as JSON.parse does).
 */
final class Value implements Comparable<Value> {
    static final Value NULL = new Value(Kind.NULL, null, null, null, null);
    static final Value FALSE = new Value(Kind.FALSE, null, null, null, null);
    static final Value TRUE = new Value(Kind.TRUE, null, null, null, null);

    final Kind kind;
    final Num num;
    final String str;
    final List<Value> items;
    final TreeMap<String, Value> members;

    private Value(Kind kind, Num num, String str, List<Value> items, TreeMap<String, Value> members) {
        this.kind = kind;
        this.num = num;
        this.str = str;
        this.items = items;
        this.members = members;
    }

    static Value number(Num n) {
        return new Value(Kind.NUMBER, n, null, null, null);
    }

    static Value string(String s) {
        return new Value(Kind.STRING, null, s, null, null);
    }

    static Value array(List<Value> items) {
        return new Value(Kind.ARRAY, null, null, Collections.unmodifiableList(items), null);
    }

    static Value object(TreeMap<String, Value> members) {
        return new Value(Kind.OBJECT, null, null, null, members);
    }

    /** Reads the valid compact JSON value {@code buf[from, to)}. */
    static Value read(byte[] buf, int from, int to) {
        return new ValueReader(buf, from, null).value();
    }

    static Value read(byte[] json) {
        return read(json, 0, json.length);
    }

    /** Reads a selector: a repeated member name there is refused, not silently dropped. */
    static Value readStrict(byte[] json, String where) {
        return new ValueReader(json, 0, where).value();
    }

    /** The kind of the valid compact value starting at {@code buf[pos]}, read from its first byte. */
    static Kind kindAt(byte[] buf, int pos) {
        return switch (buf[pos]) {
            case '{' -> Kind.OBJECT;
            case '[' -> Kind.ARRAY;
            case '"' -> Kind.STRING;
            case 't' -> Kind.TRUE;
            case 'f' -> Kind.FALSE;
            case 'n' -> Kind.NULL;
            default -> Kind.NUMBER;
        };
    }

    /** Deep equality: numbers by value, objects whatever their member order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Value v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        return switch (kind) {
            case NUMBER -> num.hashCode();
            case STRING -> str.hashCode();
            case ARRAY -> items.hashCode();
            case OBJECT -> members.hashCode();
            default -> kind.hashCode();
        };
    }

    /**
     * The total order: by type (null, false, true, numbers, strings, arrays, objects), then numbers by value,
     * strings by code point, arrays element by element and then the shorter first, objects by their member
     * names in code point order as a list (compared as arrays are) and then by the values in that name order.
     */
    @Override
    public int compareTo(Value o) {
        if (kind != o.kind) {
            return Integer.compare(kind.ordinal(), o.kind.ordinal());
        }
        return switch (kind) {
            case NUMBER -> num.compareTo(o.num);
            case STRING -> CodePoints.compare(str, o.str);
            case ARRAY -> compareLists(items, o.items);
            case OBJECT -> compareObjects(members, o.members);
            default -> 0;
        };
    }

    private static int compareLists(List<Value> a, List<Value> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static int compareObjects(TreeMap<String, Value> a, TreeMap<String, Value> b) {
        Iterator<String> x = a.keySet().iterator();
        Iterator<String> y = b.keySet().iterator();
        while (x.hasNext() && y.hasNext()) {
            int c = CodePoints.compare(x.next(), y.next());
            if (c != 0) {
                return c;
            }
        }
        if (x.hasNext() || y.hasNext()) {
            return x.hasNext() ? 1 : -1;
        }
        Iterator<Value> u = a.values().iterator();
        Iterator<Value> v = b.values().iterator();
        while (u.hasNext()) {
            int c = u.next().compareTo(v.next());
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Canonical JSON text: members sorted, numbers in one spelling (see {@link Num#toString}). */
    void writeCanonical(StringBuilder out) {
        switch (kind) {
            case NULL -> out.append("null");
            case FALSE -> out.append("false");
            case TRUE -> out.append("true");
            case NUMBER -> out.append(num);
            case STRING -> out.append(new String(JsonText.quote(str), java.nio.charset.StandardCharsets.UTF_8));
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    items.get(i).writeCanonical(out);
                }
                out.append(']');
            }
            case OBJECT -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, Value> m : members.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(m.getKey()).writeCanonical(out);
                    out.append(':');
                    m.getValue().writeCanonical(out);
                }
                out.append('}');
            }
        }
    }

    String canonical() {
        StringBuilder out = new StringBuilder();
        writeCanonical(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return canonical();
    }
}
