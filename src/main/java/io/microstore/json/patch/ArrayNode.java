package io.microstore.json.patch;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An array opened for patching: a sequence of pieces, each a run of the source's elements or one
 * element the patch put there, kept in a tree ordered by position (an implicit treap), so that reading,
 * replacing, inserting or removing at any index costs a few steps however long the array is. A copy of
 * a whole list per operation is what made a patch of many operations quadratic.
 */
final class ArrayNode extends Node {
    private final Source source;
    private final int[] spans; // start and end of each source element
    private Piece root;

    /** A run {@code [from, to)} of the source's elements, or one element {@code node}; with its subtree. */
    private static final class Piece {
        int from;
        int to;
        final Node node;
        final int priority = ThreadLocalRandom.current().nextInt();
        int size;
        Piece left;
        Piece right;

        Piece(int from, int to, Node node) {
            this.from = from;
            this.to = to;
            this.node = node;
        }

        int length() {
            return node != null ? 1 : to - from;
        }
    }

    private ArrayNode(Source source, int[] spans, int count) {
        this.source = source;
        this.spans = spans;
        this.root = count == 0 ? null : update(new Piece(0, count, null));
    }

    /** Opens a raw array: one pass over its elements, each element's end found through the source's index. */
    static ArrayNode of(Raw raw, Work work) {
        byte[] buf = raw.source.buf;
        int[] spans = new int[16];
        int n = 0;
        int pos = raw.from + 1;
        if (buf[pos] != ']') {
            while (true) {
                if (2 * n + 2 > spans.length) {
                    spans = Arrays.copyOf(spans, spans.length * 2);
                }
                int end = raw.source.end(pos, work);
                spans[2 * n] = pos;
                spans[2 * n + 1] = end;
                n++;
                if (buf[end] == ']') {
                    break;
                }
                pos = end + 1;
            }
        }
        work.charge(n);
        return new ArrayNode(raw.source, spans, n);
    }

    @Override
    Kind kind() {
        return Kind.ARRAY;
    }

    int size() {
        return size(root);
    }

    /** The element at {@code index} (0 <= index < size). */
    Node get(int index) {
        Piece p = root;
        while (true) {
            int left = size(p.left);
            if (index < left) {
                p = p.left;
            } else if (index < left + p.length()) {
                if (p.node != null) {
                    return p.node;
                }
                int e = p.from + index - left;
                return new Raw(source, spans[2 * e], spans[2 * e + 1]);
            } else {
                index -= left + p.length();
                p = p.right;
            }
        }
    }

    /** The element at {@code index} opened for changes when it is an object or array (kept opened here). */
    Node child(int index, Work work) {
        Node value = get(index);
        if (value instanceof Raw raw) {
            Node opened = Node.open(raw, work);
            if (opened != null) {
                set(index, opened);
                return opened;
            }
        }
        return value;
    }

    void set(int index, Node value) {
        Piece[] head = split(root, index);
        Piece[] tail = split(head[1], 1);
        root = merge(merge(head[0], update(new Piece(0, 0, value))), tail[1]);
    }

    /** Inserts {@code value} before the element at {@code index} (0 <= index <= size). */
    void insert(int index, Node value) {
        Piece[] parts = split(root, index);
        root = merge(merge(parts[0], update(new Piece(0, 0, value))), parts[1]);
    }

    /** Removes and returns the element at {@code index}. */
    Node remove(int index) {
        Node old = get(index);
        Piece[] head = split(root, index);
        Piece[] tail = split(head[1], 1);
        root = merge(head[0], tail[1]);
        return old;
    }

    @Override
    void write(Output out, int depth) {
        out.open('[', depth);
        write(root, out, depth, true);
        out.write(']');
    }

    /** Writes the pieces of {@code p} in order; returns whether nothing was written before them. */
    private boolean write(Piece p, Output out, int depth, boolean first) {
        if (p == null) {
            return first;
        }
        first = write(p.left, out, depth, first);
        if (p.node != null) {
            if (!first) {
                out.write(',');
            }
            p.node.write(out, depth + 1);
        } else {
            // A run of source elements is contiguous there, commas included: one copy.
            if (!first) {
                out.write(',');
            }
            out.raw(source, spans[2 * p.from], spans[2 * (p.to - 1) + 1], depth + 1);
        }
        return write(p.right, out, depth, false);
    }

    private static int size(Piece p) {
        return p == null ? 0 : p.size;
    }

    private static Piece update(Piece p) {
        p.size = size(p.left) + p.length() + size(p.right);
        return p;
    }

    /** Splits {@code p} into its first {@code k} elements and the rest, cutting a run in two where needed. */
    private static Piece[] split(Piece p, int k) {
        if (p == null) {
            return new Piece[2];
        }
        int left = size(p.left);
        if (k <= left) {
            Piece[] parts = split(p.left, k);
            p.left = parts[1];
            update(p);
            return new Piece[] {parts[0], p};
        }
        if (k >= left + p.length()) {
            Piece[] parts = split(p.right, k - left - p.length());
            p.right = parts[0];
            update(p);
            return new Piece[] {p, parts[1]};
        }
        // k falls inside this run: its second part takes the right subtree and this piece's priority.
        Piece second = new Piece(p.from + k - left, p.to, null);
        p.to = second.from;
        second.right = p.right;
        p.right = null;
        return new Piece[] {update(p), update(withPriorityOf(second, p))};
    }

    /** Heap order: a piece cut from {@code parent} stays above the parent's right subtree only if it ranks as high. */
    private static Piece withPriorityOf(Piece piece, Piece parent) {
        return piece.priority >= parent.priority || piece.right == null ? piece : reroot(piece);
    }

    private static Piece reroot(Piece piece) {
        Piece right = piece.right;
        piece.right = null;
        return merge(update(piece), right);
    }

    private static Piece merge(Piece a, Piece b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.priority >= b.priority) {
            a.right = merge(a.right, b);
            return update(a);
        }
        b.left = merge(a, b.left);
        return update(b);
    }
}
