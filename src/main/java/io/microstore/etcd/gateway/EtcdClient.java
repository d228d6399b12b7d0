package io.microstore.etcd.gateway;

import java.util.List;

/**
 * The few etcd v3 calls microstore needs. Reads are linearizable; failures are {@link EtcdException}s
 * classified by whether a write could have been applied. Implementations are thread-safe.
 */
public interface EtcdClient extends AutoCloseable {
    /** The status of the member currently in use. */
    MemberStatus status() throws EtcdException;

    /** The status of one member, by its position in the endpoint list (no failover). */
    MemberStatus status(int member) throws EtcdException;

    /** Up to {@code limit} keys of {@code range} (0 = no limit) at {@code revision} (0 = latest). */
    RangeResult range(KeyRange range, long revision, long limit) throws EtcdException;

    /** The store's current revision, by a quorum read of the key {@code \0} (no keys are sent back). */
    long currentRevision() throws EtcdException;

    /**
     * The store's current revision, by a quorum read of {@code key} (nothing is sent back): a key the
     * caller's etcd user may read, as a user whose role covers only its prefix may not read {@code \0}.
     */
    long currentRevision(byte[] key) throws EtcdException;

    /** How many keys {@code range} holds at {@code revision} (0 = latest); no keys are sent back. */
    long count(KeyRange range, long revision) throws EtcdException;

    /**
     * Up to {@code limit} keys of {@code range} at {@code revision} (0 = latest) whose last change is at
     * {@code minModRevision} or later, without their values. (etcd ignores that filter when it only
     * counts, hence a call of its own.)
     */
    RangeResult keysChangedSince(KeyRange range, long revision, long minModRevision, long limit) throws EtcdException;

    /** If every compare holds, runs {@code success}, else {@code failure}; all at one revision. */
    TxnResult txn(List<Compare> compares, List<RequestOp> success, List<RequestOp> failure) throws EtcdException;

    /** Streams the changes of {@code range} from {@code startRevision} (0 = from now) to {@code listener}. */
    Watch watch(KeyRange range, long startRevision, WatchListener listener) throws EtcdException;

    /**
     * Grants a lease of {@code ttlSeconds} (etcd raises it to its minimum, 1.5 election timeouts rounded up
     * to a second). A key put with it is deleted by etcd itself once the lease expires, unless revoked first.
     */
    Lease grantLease(long ttlSeconds) throws EtcdException;

    /** Revokes lease {@code id}, deleting the keys attached to it; a lease that is gone already is no error. */
    void revokeLease(long id) throws EtcdException;

    /** Drops history before {@code revision}; returns the store revision. */
    long compact(long revision) throws EtcdException;

    /** How many members this client knows (for the start-up line). */
    default int endpointCount() {
        return 1;
    }

    /** Stops every watch and releases the connections. */
    @Override
    void close();
}
