package io.microstore.store;

/**
 * A write would take the store over its memory quota ({@code store.max-bytes}): refused with 507, nothing
 * written. DELETE is never refused for this, since it frees room.
 */
public final class QuotaExceeded extends Refusal {
    private final long used;
    private final long limit;

    public QuotaExceeded(long used, long limit) {
        super("the store holds " + used + " of its " + limit + " bytes (store.max-bytes); this write would go over"
                + " it: delete apps or raise the quota");
        this.used = used;
        this.limit = limit;
    }

    public long used() {
        return used;
    }

    public long limit() {
        return limit;
    }
}
