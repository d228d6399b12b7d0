package io.microstore.store;

/** The write queue is full; the client should retry shortly. */
public final class StoreBusy extends Refusal {
    public StoreBusy(int capacity) {
        super("the write queue is full (" + capacity + " pending writes); retry shortly");
    }
}
