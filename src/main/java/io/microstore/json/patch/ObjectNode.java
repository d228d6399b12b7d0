package io.microstore.json.patch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

import io.microstore.json.JsonText;
import io.microstore.json.PatchRefused;

/**
 * An object opened for patching. Its original members stay where they are in the source (a name, its
 * value), found by a hash of their names without decoding them; a replaced member keeps its place and the
 * spelling of its name, a new one goes at the end. So opening an object costs one pass over its members,
 * and each change after that is a lookup, however many members it has.
 *
 * <p>A name that the source holds twice (RFC 8259 allows it, I-JSON does not) makes the object ambiguous
 * for that name only: reaching for it is refused, the other members can be patched as usual.
 */
final class ObjectNode extends Node {
    /** Marks a removed original member. */
    private static final Node REMOVED = Raw.of(new byte[] {'0'});

    private final Source source; // null for an object the patch made
    private final int[] spans; // per original member: name start, name end, value start, value end
    private final int count;
    private int[] hashes;
    private int[] table; // open addressing: original member index + 1
    private BitSet repeated;
    private Node[] values; // replaced original values (null: the source's), or REMOVED
    private int removed;
    private final LinkedHashMap<String, Member> added = new LinkedHashMap<>();

    /** A member the patch added: its name as the JSON string token to write, and its value. */
    private record Member(byte[] token, Node value) {}

    private ObjectNode(Source source, int[] spans, int count) {
        this.source = source;
        this.spans = spans;
        this.count = count;
    }

    static ObjectNode empty() {
        return new ObjectNode(null, new int[0], 0);
    }

    /** Opens a raw object: one pass over its members, each value's end found through the source's index. */
    static ObjectNode of(Raw raw, Work work) {
        byte[] buf = raw.source.buf;
        int[] spans = new int[16];
        int n = 0;
        int pos = raw.from + 1;
        if (buf[pos] != '}') {
            while (true) {
                if (4 * n + 4 > spans.length) {
                    spans = Arrays.copyOf(spans, spans.length * 2);
                }
                int nameEnd = Source.stringEnd(buf, pos);
                int valueEnd = raw.source.end(nameEnd + 1, work);
                spans[4 * n] = pos;
                spans[4 * n + 1] = nameEnd;
                spans[4 * n + 2] = nameEnd + 1;
                spans[4 * n + 3] = valueEnd;
                n++;
                if (buf[valueEnd] == '}') {
                    break;
                }
                pos = valueEnd + 1;
            }
        }
        work.charge(n);
        return new ObjectNode(raw.source, spans, n);
    }

    @Override
    Kind kind() {
        return Kind.OBJECT;
    }

    int size() {
        return count - removed + added.size();
    }

    /** The value of member {@code name}, or null. */
    Node get(String name) {
        int m = find(name);
        if (m >= 0) {
            return original(m);
        }
        Member member = added.get(name);
        return member == null ? null : member.value();
    }

    /** The value of member {@code name} opened for changes when it is an object or array (kept opened here), or null. */
    Node child(String name, Work work) {
        Node value = get(name);
        if (value instanceof Raw raw) {
            Node opened = Node.open(raw, work);
            if (opened != null) {
                put(name, null, opened);
                return opened;
            }
        }
        return value;
    }

    /**
     * Sets member {@code name}: in place when it exists, else at the end, its name written as {@code token}
     * (a JSON string token; null: as this writes {@code name}).
     */
    void put(String name, byte[] token, Node value) {
        int m = find(name);
        if (m >= 0) {
            if (values == null) {
                values = new Node[count];
            }
            values[m] = value;
            return;
        }
        Member old = added.get(name);
        added.put(name, new Member(old != null ? old.token() : token != null ? token : JsonText.quote(name), value));
    }

    /** Removes member {@code name}; returns its value, or null when there was none. */
    Node remove(String name) {
        int m = find(name);
        if (m >= 0) {
            Node old = original(m);
            if (values == null) {
                values = new Node[count];
            }
            values[m] = REMOVED;
            removed++;
            return old;
        }
        Member member = added.remove(name);
        return member == null ? null : member.value();
    }

    /** Receives a member: its name decoded, the name's JSON string token as written, and its value. */
    @FunctionalInterface
    interface MemberVisitor {
        void member(String name, byte[] token, Node value);
    }

    /** Every member, in order. */
    void forEach(MemberVisitor visitor) {
        for (int m = 0; m < count; m++) {
            if (values == null || values[m] != REMOVED) {
                visitor.member(decoded(m), Arrays.copyOfRange(source.buf, spans[4 * m], spans[4 * m + 1]), original(m));
            }
        }
        added.forEach((name, member) -> visitor.member(name, member.token(), member.value()));
    }

    /** A name the source holds twice, or null. */
    String repeatedName() {
        index();
        return repeated == null
                ? null
                : JsonText.decode(source.buf, spans[4 * repeated.nextSetBit(0)], spans[4 * repeated.nextSetBit(0) + 1]);
    }

    @Override
    void write(Output out, int depth) {
        out.open('{', depth);
        boolean first = true;
        for (int m = 0; m < count; m++) {
            Node value = values == null ? null : values[m];
            if (value == REMOVED) {
                continue;
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            out.write(source.buf, spans[4 * m], spans[4 * m + 1] - spans[4 * m] + 1); // the name and its colon
            if (value == null) {
                out.raw(source, spans[4 * m + 2], spans[4 * m + 3], depth + 1);
            } else {
                value.write(out, depth + 1);
            }
        }
        for (Map.Entry<String, Member> member : added.entrySet()) {
            if (!first) {
                out.write(',');
            }
            first = false;
            out.write(member.getValue().token(), 0, member.getValue().token().length);
            out.write(':');
            member.getValue().value().write(out, depth + 1);
        }
        out.write('}');
    }

    /** The live original member named {@code name}, or -1; refused when the source holds that name twice. */
    private int find(String name) {
        if (count == 0) {
            return -1;
        }
        index();
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8); // a lone surrogate becomes '?': equal hashes only
        int h = hash(utf8, 0, utf8.length);
        int mask = table.length - 1;
        for (int slot = h & mask; table[slot] != 0; slot = (slot + 1) & mask) {
            int m = table[slot] - 1;
            if (hashes[m] == h && sameName(m, name, utf8)) {
                if (repeated != null && repeated.get(m)) {
                    throw new PatchRefused("the value holds the member name \"" + name + "\" more than once, so a "
                            + "patch cannot tell which one it means; replace the value with PUT");
                }
                return values != null && values[m] == REMOVED ? -1 : m;
            }
        }
        return -1;
    }

    private Node original(int m) {
        Node value = values == null ? null : values[m];
        return value != null ? value : new Raw(source, spans[4 * m + 2], spans[4 * m + 3]);
    }

    /** Hashes every original name once (decoding only names with escapes) and marks the repeated ones. */
    private void index() {
        if (table != null || count == 0) {
            return;
        }
        hashes = new int[count];
        table = new int[Integer.highestOneBit(count * 2 - 1) << 1];
        int mask = table.length - 1;
        for (int m = 0; m < count; m++) {
            int from = spans[4 * m] + 1;
            int to = spans[4 * m + 1] - 1;
            hashes[m] = escaped(from, to) ? hash(decoded(m)) : hash(source.buf, from, to);
            int slot = hashes[m] & mask;
            for (; table[slot] != 0; slot = (slot + 1) & mask) {
                int other = table[slot] - 1;
                if (hashes[other] == hashes[m]
                        && sameName(other, decoded(m), decoded(m).getBytes(StandardCharsets.UTF_8))) {
                    if (repeated == null) {
                        repeated = new BitSet();
                    }
                    repeated.set(other);
                    break;
                }
            }
            if (table[slot] == 0) {
                table[slot] = m + 1;
            }
        }
    }

    private boolean sameName(int m, String name, byte[] utf8) {
        int from = spans[4 * m] + 1;
        int to = spans[4 * m + 1] - 1;
        if (escaped(from, to)) {
            return decoded(m).equals(name);
        }
        // Unescaped UTF-8 cannot spell a lone surrogate, and utf8 has '?' in its place: compare as strings then.
        return Arrays.equals(source.buf, from, to, utf8, 0, utf8.length) && !hasLoneSurrogate(name);
    }

    private String decoded(int m) {
        return JsonText.decode(source.buf, spans[4 * m], spans[4 * m + 1]);
    }

    private boolean escaped(int from, int to) {
        for (int i = from; i < to; i++) {
            if (source.buf[i] == '\\') {
                return true;
            }
        }
        return false;
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static int hash(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return hash(utf8, 0, utf8.length);
    }

    private static int hash(byte[] bytes, int from, int to) {
        int h = 1;
        for (int i = from; i < to; i++) {
            h = 31 * h + bytes[i];
        }
        return h ^ (h >>> 16);
    }
}
