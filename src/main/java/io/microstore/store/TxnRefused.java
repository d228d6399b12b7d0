package io.microstore.store;

/**
 * A transaction refused because of one of its commands, the one at {@link #index}: the cause is what that
 * command alone would have got ({@link PreconditionFailed}, {@link AppNotFound}, a patch's refusal,
 * {@link QuotaExceeded}, {@link InvalidName}...). Nothing of the transaction was written.
 */
public final class TxnRefused extends Refusal {
    private final int index;

    public TxnRefused(int index, RuntimeException cause) {
        super("operation " + index + ": " + cause.getMessage(), cause);
        this.index = index;
    }

    /** The position of the refusing command in the transaction, from 0. */
    public int index() {
        return index;
    }

    /** Why that command was refused. */
    public RuntimeException reason() {
        return (RuntimeException) getCause();
    }
}
