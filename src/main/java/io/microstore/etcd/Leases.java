package io.microstore.etcd;

import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdOutcomeUnknown;
import io.microstore.etcd.gateway.EtcdUnreachable;
import io.microstore.etcd.gateway.Lease;
import io.microstore.etcd.gateway.ResponseOp;

/**
 * The etcd leases of apps with a deadline: one lease per write that sets one (a PUT with {@code ?ttl=}),
 * granted for that write's TTL and attached to its key in the write's txn. etcd deletes the key itself
 * when the lease expires: one delete revision, whichever instances live, also when the one that wrote it
 * is gone (nobody keeps a lease alive: a renewal is a new write with a new lease).
 *
 * <p>Why one per write and not one per deadline bucket: a write's deadline is exact (no rounding to a
 * bucket), and no lease is shared, so no keep-alive or revoke of one couples unrelated apps. A lease a
 * later write of the app left without its key (the key moves to the new lease, or to none) would expire
 * with no keys; it is revoked at once instead, best effort, when the write saw it ({@code prev_kv}), and
 * so is a lease granted for a write that was then refused. One whose write has an unknown outcome is left
 * to expire: revoking it could delete a write that did commit.
 */
final class Leases {
    private static final System.Logger LOG = System.getLogger(Leases.class.getName());
    /** Revokes in flight at most; beyond that a spare lease is left to expire by itself. */
    private static final int MAX_REVOKES = 64;

    private final EtcdClient client;
    private final InstantSource clock;
    private final Semaphore revokes = new Semaphore(MAX_REVOKES);

    /** A lease granted for a write, and the deadline it ends at (epoch millis on this instance's clock). */
    record Granted(long id, long expires) {}

    Leases(EtcdClient client, InstantSource clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * A lease for a value that is to expire at {@code expires}: its TTL is the time left, rounded up to a
     * second (at least 1); etcd may grant more (its minimum), and the deadline is then what it granted.
     */
    Granted grant(long expires) throws EtcdException {
        long now = clock.millis();
        long ttl = Math.max(1, (expires - now + 999) / 1000);
        Lease lease = client.grantLease(ttl);
        return new Granted(lease.id(), now + Math.max(ttl, lease.ttl()) * 1000);
    }

    /**
     * The leases of one write (a transaction: one per app it puts with a deadline, never shared, so that
     * revoking one spare lease never takes another app with it), granted when the write first needs them.
     * Closing it revokes those left without a key.
     */
    ForWrite forWrite() {
        return new ForWrite();
    }

    /** The leases of one write: granted once (its retries reuse them), then attached, or revoked if never. */
    final class ForWrite implements AutoCloseable {
        private final Map<String, Granted> granted = new HashMap<>();
        private boolean keep;

        /**
         * The lease of app {@code name} for a deadline of {@code expires}, granted now unless it was already.
         * A grant whose answer did not come sent no write: it fails as unreachable, not as an unknown outcome
         * (a lease it may have granted expires with no keys).
         */
        Granted get(String name, long expires) throws EtcdException {
            Granted lease = granted.get(name);
            if (lease == null) {
                try {
                    lease = grant(expires);
                } catch (EtcdOutcomeUnknown e) {
                    throw new EtcdUnreachable(e.endpoint(), "no lease for the write: " + e.getMessage(), e);
                }
                granted.put(name, lease);
            }
            return lease;
        }

        /** The write committed with {@code responses}: its leases are in use; the keys' previous ones are spare. */
        void committed(List<ResponseOp> responses) {
            keep = true;
            for (ResponseOp response : responses) {
                long previous = switch (response) {
                    case ResponseOp.Put put -> put.prevLease();
                    case ResponseOp.Delete delete -> delete.prevLease();
                    case ResponseOp.Get ignored -> 0;
                };
                if (granted.values().stream().noneMatch(g -> g.id() == previous)) {
                    revokeLater(previous);
                }
            }
        }

        /** The write's outcome is unknown: its lease may hold the key, so it stays (and expires by itself). */
        void unknown() {
            keep = true;
        }

        @Override
        public void close() {
            if (!keep) {
                granted.values().forEach(g -> revokeLater(g.id()));
            }
        }
    }

    /** Revokes lease {@code id} (0: none) on a thread of its own; a failure only leaves it to expire. */
    void revokeLater(long id) {
        if (id == 0 || !revokes.tryAcquire()) {
            return;
        }
        try {
            Thread.ofVirtual().name("microstore-etcd-revoke").start(() -> {
                try {
                    client.revokeLease(id);
                } catch (EtcdException | RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "revoking a spare lease failed (it expires by itself): " + e);
                } finally {
                    revokes.release();
                }
            });
        } catch (RuntimeException e) {
            revokes.release();
        }
    }
}
