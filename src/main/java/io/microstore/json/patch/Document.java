package io.microstore.json.patch;

import io.microstore.json.PatchConflict;

/**
 * The document a JSON Patch works on, addressed by {@link Pointer}: each operation opens only the
 * containers on its path, so its cost is that of the lookups along it, not of the values beside it.
 * A pointer that leads nowhere is a {@link PatchConflict} (409): the patch does not fit this value.
 */
final class Document {
    private Node root;
    private final Work work;

    Document(Node root, Work work) {
        this.root = root;
        this.work = work;
    }

    Node root() {
        return root;
    }

    /** The value at {@code p}. */
    Node get(Pointer p) {
        if (p.isRoot()) {
            return root;
        }
        Node parent = parent(p);
        if (parent instanceof ObjectNode object) {
            Node value = object.get(p.last());
            if (value == null) {
                throw missing(p);
            }
            return value;
        }
        ArrayNode array = (ArrayNode) parent;
        return array.get(index(array, p.last(), p, false));
    }

    /** RFC 6902 add: sets a member, inserts into an array ("-": at its end), or replaces the whole document. */
    void add(Pointer p, Node value) {
        if (p.isRoot()) {
            root = value;
            return;
        }
        Node parent = parent(p);
        if (parent instanceof ObjectNode object) {
            object.put(p.last(), null, value);
        } else {
            ArrayNode array = (ArrayNode) parent;
            array.insert(index(array, p.last(), p, true), value);
        }
    }

    /** RFC 6902 remove: returns the value removed from {@code p}, which must exist. */
    Node remove(Pointer p) {
        if (p.isRoot()) {
            throw new PatchConflict("the whole document cannot be removed");
        }
        Node parent = parent(p);
        if (parent instanceof ObjectNode object) {
            Node old = object.remove(p.last());
            if (old == null) {
                throw missing(p);
            }
            return old;
        }
        ArrayNode array = (ArrayNode) parent;
        return array.remove(index(array, p.last(), p, false));
    }

    /** RFC 6902 replace: the value at {@code p} must exist. */
    void replace(Pointer p, Node value) {
        if (p.isRoot()) {
            root = value;
            return;
        }
        Node parent = parent(p);
        if (parent instanceof ObjectNode object) {
            if (object.get(p.last()) == null) {
                throw missing(p);
            }
            object.put(p.last(), null, value);
        } else {
            ArrayNode array = (ArrayNode) parent;
            array.set(index(array, p.last(), p, false), value);
        }
    }

    /** The object or array that holds the value {@code p} names, opened, with every container on the way. */
    private Node parent(Pointer p) {
        Node at = opened(root);
        root = at == null ? root : at;
        Node current = root;
        for (int i = 0; i < p.tokens().size() - 1; i++) {
            String token = p.tokens().get(i);
            work.charge(1);
            if (current instanceof ObjectNode object) {
                current = object.child(token, work);
                if (current == null) {
                    throw missing(p);
                }
            } else if (current instanceof ArrayNode array) {
                current = array.child(index(array, token, p, false), work);
            } else {
                throw missing(p);
            }
        }
        if (!(current instanceof ObjectNode) && !(current instanceof ArrayNode)) {
            throw new PatchConflict(p + " does not exist: what holds it is not an object or array");
        }
        return current;
    }

    private Node opened(Node node) {
        return Node.open(node, work);
    }

    /**
     * The array index {@code token} stands for: digits without a leading zero (RFC 6901), below the size
     * ({@code forAdd}: up to it, and "-" for the end).
     */
    private static int index(ArrayNode array, String token, Pointer p, boolean forAdd) {
        if (token.equals("-") && forAdd) {
            return array.size();
        }
        if (!token.matches("0|[1-9][0-9]{0,9}")) {
            throw new PatchConflict("\"" + token + "\" in " + p + " is not an array index"
                    + (token.equals("-") ? " here (\"-\" only adds at the end)" : ""));
        }
        long index = Long.parseLong(token);
        if (index > array.size() || index == array.size() && !forAdd) {
            throw new PatchConflict(p + " does not exist: the array has " + array.size() + " elements");
        }
        return (int) index;
    }

    private static PatchConflict missing(Pointer p) {
        return new PatchConflict(p + " does not exist");
    }
}
