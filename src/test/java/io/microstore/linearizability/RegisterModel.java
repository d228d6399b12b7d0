package io.microstore.linearizability;

import io.microstore.linearizability.Op.Status;

/**
 * The sequential specification of one key: a register that is absent or holds a value with an ETag. A write
 * (PUT) stores its value under the ETag it returns; a cas (If-Match) does so only when the current ETag is the
 * one given, a create (If-None-Match: *) only when absent; a delete makes it absent (a conditional one only on a
 * matching ETag); a read returns the value and its ETag, or absent.
 *
 * <p>ETags are opaque here (microstore's are seqs or etcd revisions, but the model does not rely on their order).
 * A write whose outcome is unknown has no known ETag: the state then carries {@link #ANY_ETAG}, which a later
 * read pins down and a cas may match (the server may have issued exactly that ETag).
 */
public final class RegisterModel {
    public static final long ANY_ETAG = -1;

    /** The register's state: {@code value} null = absent (its etag is then {@link Op#NO_ETAG}). */
    public record State(String value, long etag) {
        public static final State ABSENT = new State(null, Op.NO_ETAG);

        public boolean present() {
            return value != null;
        }

        @Override
        public String toString() {
            return value == null ? "absent" : value + (etag == ANY_ETAG ? " (etag unknown)" : " \"" + etag + "\"");
        }
    }

    private RegisterModel() {}

    public static State initial() {
        return State.ABSENT;
    }

    /**
     * The state after {@code op} takes effect at an instant where the state is {@code s}, or null when {@code op}
     * could not have had its recorded outcome there. An unknown op is applied as if it succeeded (the checker
     * leaves it out for "never").
     */
    public static State step(State s, Op op) {
        boolean unknown = op.status() == Status.UNKNOWN;
        long newEtag = unknown ? ANY_ETAG : op.outEtag();
        switch (op.kind()) {
            case READ -> {
                if (op.outValue() == null) {
                    return s.present() ? null : s;
                }
                if (!op.outValue().equals(s.value()) || s.etag() != ANY_ETAG && s.etag() != op.outEtag()) {
                    return null;
                }
                return new State(s.value(), op.outEtag());
            }
            case WRITE -> {
                return new State(op.value(), newEtag);
            }
            case CAS -> {
                boolean mayMatch = matches(s, op.ifMatch());
                if (op.status() == Status.FAIL) {
                    return !s.present() || s.etag() != op.ifMatch() ? s : null;
                }
                return mayMatch ? new State(op.value(), newEtag) : null;
            }
            case CREATE -> {
                if (op.status() == Status.FAIL) {
                    return s.present() ? s : null;
                }
                return s.present() ? null : new State(op.value(), newEtag);
            }
            case DELETE -> {
                if (op.ifMatch() == Op.NO_ETAG) {
                    return State.ABSENT;
                }
                if (op.status() == Status.FAIL) {
                    return !s.present() || s.etag() != op.ifMatch() ? s : null;
                }
                return matches(s, op.ifMatch()) ? State.ABSENT : null;
            }
            default -> throw new IllegalArgumentException(op.kind().toString());
        }
    }

    /** Whether a precondition If-Match: {@code etag} may hold in {@code s}. */
    private static boolean matches(State s, long etag) {
        return s.present() && (s.etag() == etag || s.etag() == ANY_ETAG);
    }

    /** Why {@code op} cannot take effect in {@code s}, for counterexamples. */
    public static String whyNot(State s, Op op) {
        return "in state " + s + " " + op.describe() + " is impossible";
    }
}
