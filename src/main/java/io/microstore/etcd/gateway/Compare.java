package io.microstore.etcd.gateway;

/** One condition of a transaction: the key's {@code target} field compared with {@code value}. */
public record Compare(byte[] key, Target target, Result result, long value) {
    /** The field compared; a key that does not exist has 0 in each. */
    public enum Target {
        MOD,
        CREATE,
        VERSION
    }

    /** The comparison, as etcd names it. */
    public enum Result {
        EQUAL,
        NOT_EQUAL,
        LESS,
        GREATER
    }

    /** The key's last change was at revision {@code revision}. */
    public static Compare modRevisionIs(byte[] key, long revision) {
        return new Compare(key, Target.MOD, Result.EQUAL, revision);
    }

    /** The key does not exist (its create revision is 0). */
    public static Compare absent(byte[] key) {
        return new Compare(key, Target.CREATE, Result.EQUAL, 0);
    }
}
