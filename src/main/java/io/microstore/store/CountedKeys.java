package io.microstore.store;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

import io.microstore.store.query.IndexKey;

/**
 * A secondary index's entries in a B+ tree whose inner nodes keep the number of entries under each child, so the
 * number of entries between two keys is two descents: O(log n), whatever the number of matches. A node holds up
 * to {@link #MAX} entries or children in plain arrays (a few bytes per entry, not a node object each), so a write
 * shifts at most that many references and adds one to (or takes one from) a count per level.
 *
 * <p>One writer at a time: every change happens under {@link Index}'s write lock (the commit stream and the
 * builder take it). Readers run inside {@link Index#whole}, which first reads without the lock and keeps the
 * answer only when no write happened meanwhile; such a read may meet a node half-changed, so every read here is
 * bounded (by {@link #DEEPEST} levels and by the arrays' lengths) and ends, with a wrong number or an exception
 * that {@link Index#whole} throws away before it reads again.
 */
final class CountedKeys {
    /** Entries in a leaf, children of an inner node: 64 references, a few cache lines to search and shift. */
    static final int MAX = 64;
    /** Below this a node takes from, or merges with, a sibling: a quarter, so a delete rarely moves anything. */
    static final int MIN = MAX / 4;
    /** Far more levels than 2^31 entries need: a read that goes deeper met a node being changed. */
    private static final int DEEPEST = 32;

    /**
     * A leaf ({@code kids} null: {@code keys} are its entries) or an inner node ({@code keys[i]}, i > 0, sorts
     * after every entry under child i - 1 and at or before every entry under child i; {@code counts[i]} is the
     * number of entries under child i; {@code keys[0]} is only a bound carried up when the node splits).
     */
    private static final class Node {
        IndexKey[] keys;
        Node[] kids;
        int[] counts;
        int n;

        static Node newLeaf() {
            Node node = new Node();
            node.keys = new IndexKey[MAX];
            return node;
        }

        static Node newInner() {
            Node node = new Node();
            node.keys = new IndexKey[MAX];
            node.kids = new Node[MAX];
            node.counts = new int[MAX];
            return node;
        }

        boolean leaf() {
            return kids == null;
        }

        int total() {
            if (leaf()) {
                return n;
            }
            int sum = 0;
            for (int i = 0; i < n; i++) {
                sum += counts[i];
            }
            return sum;
        }
    }

    private Node root = Node.newLeaf();
    private int size;
    private boolean changed; // the last add or remove found something to do

    int size() {
        return size;
    }

    /** Adds {@code key}; false when it is here already. */
    boolean add(IndexKey key) {
        changed = false;
        Node split = insert(root, key);
        if (split != null) {
            Node top = Node.newInner();
            top.kids[0] = root;
            top.counts[0] = root.total();
            top.kids[1] = split;
            top.counts[1] = split.total();
            top.keys[1] = split.keys[0];
            top.n = 2;
            root = top;
        }
        if (changed) {
            size++;
        }
        return changed;
    }

    /** Removes {@code key}; false when it was not here. */
    boolean remove(IndexKey key) {
        changed = false;
        delete(root, key);
        if (!root.leaf() && root.n == 1) {
            root = root.kids[0];
        }
        if (changed) {
            size--;
        }
        return changed;
    }

    /** How many entries sort at or after {@code from} and at or before {@code to}. */
    long count(IndexKey from, IndexKey to) {
        if (IndexKey.ORDER.compare(from, to) > 0) {
            return 0;
        }
        return below(to, true) - below(from, false);
    }

    /** How many entries sort before {@code key} (or at it, when {@code inclusive}): one descent. */
    long below(IndexKey key, boolean inclusive) {
        long before = 0;
        Node node = root;
        for (int depth = 0; !node.leaf(); depth++) {
            if (depth == DEEPEST) {
                throw new IllegalStateException("a tree deeper than " + DEEPEST + ": read while it was changed");
            }
            int child = 0; // the last child whose bound sorts before the key (or at it, when inclusive)
            int lo = 1;
            int hi = node.n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = IndexKey.ORDER.compare(node.keys[mid], key);
                if (c < 0 || (c == 0 && inclusive)) {
                    child = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            for (int i = 0; i < child; i++) {
                before += node.counts[i];
            }
            node = node.kids[child];
        }
        return before + position(node, key, inclusive);
    }

    /**
     * The entries from {@code from} to {@code to} (bounds or entries, both inclusive), ascending or descending.
     * The walk copies one leaf's share at a time and finds the next leaf by a new descent from the root past the
     * last entry it returned, so it holds no node across a change and never returns an entry twice; read without
     * the lock it may meet a node half-changed, and then it ends (bounded as {@link #below} is) with wrong entries
     * or an exception, for {@link Index#whole} to throw away.
     */
    Iterable<IndexKey> range(IndexKey from, IndexKey to, boolean descending) {
        return () -> new Walk(from, to, descending);
    }

    private final class Walk implements Iterator<IndexKey> {
        private final IndexKey from;
        private final IndexKey to;
        private final boolean down;
        private final IndexKey[] leafShare = new IndexKey[MAX];
        private final Node[] path = new Node[DEEPEST];
        private final int[] taken = new int[DEEPEST];
        private int at;
        private int filled;
        private IndexKey last; // the last entry returned; null before the first
        private boolean done;

        Walk(IndexKey from, IndexKey to, boolean down) {
            this.from = from;
            this.to = to;
            this.down = down;
        }

        @Override
        public boolean hasNext() {
            if (at < filled) {
                return true;
            }
            if (done) {
                return false;
            }
            fill();
            return at < filled;
        }

        @Override
        public IndexKey next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            last = leafShare[at];
            leafShare[at++] = null;
            return last;
        }

        /** Copies the next leaf's entries within the bounds past {@link #last}; sets {@link #done} at the end. */
        private void fill() {
            at = 0;
            filled = 0;
            IndexKey target = last != null ? last : down ? to : from;
            int depth = 0;
            Node node = root;
            while (!node.leaf()) {
                if (depth == DEEPEST) {
                    throw new IllegalStateException("a tree deeper than " + DEEPEST + ": read while it was changed");
                }
                int i = child(node, target);
                path[depth] = node;
                taken[depth++] = i;
                node = node.kids[i];
            }
            // The first entry past the last one returned (or at the walk's first bound), in the walk's direction.
            int start = last == null
                    ? (down ? position(node, to, true) - 1 : position(node, from, false))
                    : (down ? position(node, last, false) - 1 : position(node, last, true));
            for (int leaves = 0; ; leaves++) {
                if (leaves > DEEPEST * MAX) {
                    throw new IllegalStateException("a walk that found no next leaf: read while it was changed");
                }
                IndexKey[] keys = node.keys;
                int n = Math.min(node.n, keys.length);
                for (int i = start; down ? i >= 0 : i < n; i += down ? -1 : 1) {
                    IndexKey k = keys[i];
                    if (down ? IndexKey.ORDER.compare(k, from) < 0 : IndexKey.ORDER.compare(k, to) > 0) {
                        done = true;
                        return;
                    }
                    if (filled == 0 && last != null) {
                        int c = IndexKey.ORDER.compare(k, last);
                        if (down ? c >= 0 : c <= 0) {
                            throw new IllegalStateException("a walk that went back: read while the tree was changed");
                        }
                    }
                    leafShare[filled++] = k;
                }
                if (filled > 0) {
                    return;
                }
                // This leaf holds nothing past the last entry: on to the next leaf in the walk's direction.
                while (depth > 0 && (down ? taken[depth - 1] == 0 : taken[depth - 1] + 1 >= path[depth - 1].n)) {
                    depth--;
                }
                if (depth == 0) {
                    done = true;
                    return;
                }
                taken[depth - 1] += down ? -1 : 1;
                node = path[depth - 1].kids[taken[depth - 1]];
                while (!node.leaf()) {
                    if (depth == DEEPEST) {
                        throw new IllegalStateException(
                                "a tree deeper than " + DEEPEST + ": read while it was changed");
                    }
                    int i = down ? node.n - 1 : 0;
                    path[depth] = node;
                    taken[depth++] = i;
                    node = node.kids[i];
                }
                start = down ? Math.min(node.n, node.keys.length) - 1 : 0;
            }
        }
    }

    /** In a leaf: how many of its entries sort before {@code key} (or at it, when {@code inclusive}). */
    private static int position(Node leaf, IndexKey key, boolean inclusive) {
        int lo = 0;
        int hi = leaf.n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = IndexKey.ORDER.compare(leaf.keys[mid], key);
            if (c < 0 || (c == 0 && inclusive)) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The child of inner {@code node} whose entries would hold {@code key}. */
    private static int child(Node node, IndexKey key) {
        int child = 0;
        int lo = 1;
        int hi = node.n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (IndexKey.ORDER.compare(node.keys[mid], key) <= 0) {
                child = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return child;
    }

    /** Inserts into {@code node}'s subtree; returns the new right sibling when {@code node} split, else null. */
    private Node insert(Node node, IndexKey key) {
        if (node.leaf()) {
            int at = position(node, key, false);
            if (at < node.n && IndexKey.ORDER.compare(node.keys[at], key) == 0) {
                return null;
            }
            changed = true;
            if (node.n < MAX) {
                place(node, at, key);
                return null;
            }
            Node right = Node.newLeaf();
            int half = MAX / 2;
            System.arraycopy(node.keys, half, right.keys, 0, MAX - half);
            Arrays.fill(node.keys, half, MAX, null);
            node.n = half;
            right.n = MAX - half;
            if (at <= half) {
                place(node, at, key);
            } else {
                place(right, at - half, key);
            }
            return right;
        }
        int i = child(node, key);
        Node split = insert(node.kids[i], key);
        if (changed) {
            node.counts[i]++;
        }
        if (split == null) {
            return null;
        }
        node.counts[i] = node.kids[i].total();
        if (node.n < MAX) {
            placeChild(node, i + 1, split);
            return null;
        }
        Node right = Node.newInner();
        int half = MAX / 2;
        System.arraycopy(node.keys, half, right.keys, 0, MAX - half);
        System.arraycopy(node.kids, half, right.kids, 0, MAX - half);
        System.arraycopy(node.counts, half, right.counts, 0, MAX - half);
        Arrays.fill(node.keys, half, MAX, null);
        Arrays.fill(node.kids, half, MAX, null);
        Arrays.fill(node.counts, half, MAX, 0);
        node.n = half;
        right.n = MAX - half;
        if (i + 1 <= half) {
            placeChild(node, i + 1, split);
        } else {
            placeChild(right, i + 1 - half, split);
        }
        return right;
    }

    private static void place(Node leaf, int at, IndexKey key) {
        System.arraycopy(leaf.keys, at, leaf.keys, at + 1, leaf.n - at);
        leaf.keys[at] = key;
        leaf.n++;
    }

    /** Puts {@code kid} at {@code at} of inner {@code node}, bounded below by its first key. */
    private static void placeChild(Node node, int at, Node kid) {
        System.arraycopy(node.keys, at, node.keys, at + 1, node.n - at);
        System.arraycopy(node.kids, at, node.kids, at + 1, node.n - at);
        System.arraycopy(node.counts, at, node.counts, at + 1, node.n - at);
        node.keys[at] = kid.keys[0];
        node.kids[at] = kid;
        node.counts[at] = kid.total();
        node.n++;
    }

    /** Deletes from {@code node}'s subtree; a child left with fewer than {@link #MIN} is mended here. */
    private void delete(Node node, IndexKey key) {
        if (node.leaf()) {
            int at = position(node, key, false);
            if (at < node.n && IndexKey.ORDER.compare(node.keys[at], key) == 0) {
                System.arraycopy(node.keys, at + 1, node.keys, at, node.n - at - 1);
                node.keys[--node.n] = null;
                changed = true;
            }
            return;
        }
        int i = child(node, key);
        Node kid = node.kids[i];
        delete(kid, key);
        if (!changed) {
            return;
        }
        node.counts[i]--;
        if (kid.n < MIN && node.n > 1) {
            mend(node, i == 0 ? 0 : i - 1);
        }
    }

    /**
     * Children {@code left} and {@code left + 1} of {@code parent}, one of them short: merged into one when they
     * fit, else their entries shared out evenly between them.
     */
    private static void mend(Node parent, int left) {
        Node a = parent.kids[left];
        Node b = parent.kids[left + 1];
        IndexKey between = parent.keys[left + 1];
        int total = a.n + b.n;
        IndexKey[] keys = new IndexKey[total];
        System.arraycopy(a.keys, 0, keys, 0, a.n);
        System.arraycopy(b.keys, 0, keys, a.n, b.n);
        Node[] kids = null;
        int[] counts = null;
        if (!a.leaf()) {
            keys[a.n] = between; // b's first child is bounded by the parent's key between the two
            kids = new Node[total];
            counts = new int[total];
            System.arraycopy(a.kids, 0, kids, 0, a.n);
            System.arraycopy(b.kids, 0, kids, a.n, b.n);
            System.arraycopy(a.counts, 0, counts, 0, a.n);
            System.arraycopy(b.counts, 0, counts, a.n, b.n);
        }
        if (total <= MAX) {
            fill(a, keys, kids, counts, 0, total);
            System.arraycopy(parent.keys, left + 2, parent.keys, left + 1, parent.n - left - 2);
            System.arraycopy(parent.kids, left + 2, parent.kids, left + 1, parent.n - left - 2);
            System.arraycopy(parent.counts, left + 2, parent.counts, left + 1, parent.n - left - 2);
            parent.n--;
            parent.keys[parent.n] = null;
            parent.kids[parent.n] = null;
            parent.counts[parent.n] = 0;
            parent.counts[left] = a.total();
            return;
        }
        int half = total / 2;
        fill(a, keys, kids, counts, 0, half);
        fill(b, keys, kids, counts, half, total);
        parent.keys[left + 1] = keys[half];
        parent.counts[left] = a.total();
        parent.counts[left + 1] = b.total();
    }

    /** Makes {@code node} hold {@code [from, to)} of the given entries (and children, in an inner node). */
    private static void fill(Node node, IndexKey[] keys, Node[] kids, int[] counts, int from, int to) {
        IndexKey[] k = new IndexKey[MAX];
        System.arraycopy(keys, from, k, 0, to - from);
        if (kids != null) {
            Node[] c = new Node[MAX];
            int[] n = new int[MAX];
            System.arraycopy(kids, from, c, 0, to - from);
            System.arraycopy(counts, from, n, 0, to - from);
            node.kids = c;
            node.counts = n;
        }
        node.keys = k;
        node.n = to - from;
    }
}
