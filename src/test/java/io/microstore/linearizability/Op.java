package io.microstore.linearizability;

/**
 * One recorded operation on one key: who ran it, when it was invoked and when its answer came back, what it
 * asked and what it got. Times are {@link System#nanoTime()} readings (any monotonic clock shared by all
 * processes of a history); an operation whose outcome is {@link Status#UNKNOWN} has no completion time.
 *
 * @param id       unique within its history
 * @param process  the client that ran it (one operation at a time per process)
 * @param key      the register it is about (an app name)
 * @param kind     what it does
 * @param value    the value a write, cas or create stores; null otherwise
 * @param ifMatch  the ETag a cas (or a conditional delete) requires; {@link #NO_ETAG} for none
 * @param invoke   when the request was sent (before)
 * @param complete when the answer was seen (after); {@link #NEVER} when the outcome is unknown
 * @param status   how it ended
 * @param outValue for a read that returned ok: the value seen, null for "absent" (404)
 * @param outEtag  for ok reads of a present value and ok writes that return one: the ETag; else {@link #NO_ETAG}
 */
public record Op(
        int id,
        int process,
        String key,
        Kind kind,
        String value,
        long ifMatch,
        long invoke,
        long complete,
        Status status,
        String outValue,
        long outEtag) {
    public static final long NO_ETAG = 0;
    public static final long NEVER = Long.MAX_VALUE;

    public enum Kind {
        /** GET: ok with a value and its ETag, or ok with null for absent (404). */
        READ,
        /** Unconditional PUT: ok with the new ETag. */
        WRITE,
        /** PUT with If-Match: ok with the new ETag, or FAIL (412) when the current ETag is not {@code ifMatch}. */
        CAS,
        /** PUT with If-None-Match: *: ok with the new ETag, or FAIL (412) when the key exists. */
        CREATE,
        /** DELETE, with If-Match when {@code ifMatch} is set (then FAIL = 412); ok on an absent key too. */
        DELETE
    }

    public enum Status {
        /** The operation took effect (or, for a read, observed) at one instant between invoke and completion. */
        OK,
        /**
         * Its precondition did not hold at one instant between invoke and completion (412): no effect, but an
         * observation the checker verifies. A refusal that says nothing (503 "not applied") is not recorded.
         */
        FAIL,
        /** No answer the client could trust: it may take effect at any instant after invoke, or never. */
        UNKNOWN
    }

    public Op {
        if (status == Status.UNKNOWN ? complete != NEVER : complete < invoke) {
            throw new IllegalArgumentException("bad times for " + status + ": " + invoke + ".." + complete);
        }
        if (status == Status.FAIL
                && !(kind == Kind.CAS || kind == Kind.CREATE || kind == Kind.DELETE && ifMatch != NO_ETAG)) {
            throw new IllegalArgumentException("only conditional writes can FAIL (412): " + kind);
        }
    }

    public boolean isWrite() {
        return kind != Kind.READ;
    }

    /** e.g. {@code p3 cas k1 if "12" := "p3-7" -> ok "15"}. */
    public String describe() {
        StringBuilder s = new StringBuilder("#")
                .append(id)
                .append(" p")
                .append(process)
                .append(' ')
                .append(kind.name().toLowerCase())
                .append(' ')
                .append(key);
        if (ifMatch != NO_ETAG) {
            s.append(" if \"").append(ifMatch).append('"');
        }
        if (kind == Kind.CREATE) {
            s.append(" if-none-match *");
        }
        if (value != null) {
            s.append(" := ").append(value);
        }
        s.append(" -> ").append(status.name().toLowerCase());
        if (status == Status.OK && kind == Kind.READ) {
            s.append(outValue == null ? " absent" : " " + outValue + " \"" + outEtag + "\"");
        } else if (status == Status.OK && outEtag != NO_ETAG) {
            s.append(" \"").append(outEtag).append('"');
        }
        return s.toString();
    }
}
