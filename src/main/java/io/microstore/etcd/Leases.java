package io.microstore.etcd;

import java.time.InstantSource;
import java.util.concurrent.Semaphore;

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
    record Granted(long id, long expires) {
    }

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

    /** The lease of one write, granted when the write first needs it. Closing it revokes one left without a key. */
    ForWrite forWrite() {
        return new ForWrite();
    }

    /** The lease of one write: granted once (its retries reuse it), then attached, or revoked if it never was. */
    final class ForWrite implements AutoCloseable {
        private Granted granted;
        private boolean keep;

        /**
         * The write's lease for a deadline of {@code expires}, granted now unless it was already. A grant
         * whose answer did not come sent no write: it fails as unreachable, not as an unknown outcome (a lease
         * it may have granted expires with no keys).
         */
        Granted get(long expires) throws EtcdException {
            if (granted == null) {
                try {
                    granted = grant(expires);
                } catch (EtcdOutcomeUnknown e) {
                    throw new EtcdUnreachable(e.endpoint(), "no lease for the write: " + e.getMessage(), e);
                }
            }
            return granted;
        }

        /** The lease granted so far, or 0. */
        long id() {
            return granted == null ? 0 : granted.id();
        }

        /** The write committed with {@code response}: its lease is in use; the key's previous one is spare. */
        void committed(OpResponse response) {
            keep = true;
            long previous = switch (response) {
                case OpResponse.Put put -> put.prevLease();
                case OpResponse.Delete delete -> delete.prevLease();
                case OpResponse.Get ignored -> 0;
            };
            if (previous != id()) {
                revokeLater(previous);
            }
        }

        /** The write's outcome is unknown: its lease may hold the key, so it stays (and expires by itself). */
        void unknown() {
            keep = true;
        }

        @Override
        public void close() {
            if (granted != null && !keep) {
                revokeLater(granted.id());
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
