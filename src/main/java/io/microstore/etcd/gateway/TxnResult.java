package io.microstore.etcd.gateway;

import java.util.List;

/**
 * A transaction's outcome: whether the compares held (the success branch ran), the store revision after
 * it (the write's own revision when it wrote, unchanged otherwise) and the ran branch's responses.
 */
public record TxnResult(boolean succeeded, long revision, List<ResponseOp> responses) {
    /** The read at position {@code index} of the branch that ran. */
    public RangeResult get(int index) {
        if (responses.get(index) instanceof ResponseOp.Get get) {
            return get.result();
        }
        throw new IllegalArgumentException("response " + index + " is no read: " + responses.get(index));
    }
}
