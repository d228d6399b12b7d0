package io.microstore.store;

/**
 * Every way the store (and an engine behind it) refuses a request, as one sealed family: the problem
 * mapper answers each with its status in one exhaustive switch, so a new refusal that nobody maps does not
 * compile, instead of becoming an internal error.
 */
public abstract sealed class Refusal extends RuntimeException
        permits AppNotFound,
                InvalidName,
                PreconditionFailed,
                TxnRefused,
                BadTransaction,
                QuotaExceeded,
                NoSpace,
                StoreBusy,
                StoreUnavailable,
                OutcomeUnknown,
                ValueTooLarge,
                ImportRejected,
                FeedGone,
                FeedBusy,
                QueryRefusal,
                IndexRequired,
                BadIndex,
                IndexConflict,
                IndexNotFound,
                Forbidden,
                BadKey,
                KeyConflict,
                KeyNotFound {
    protected Refusal(String message) {
        super(message);
    }

    protected Refusal(String message, Throwable cause) {
        super(message, cause);
    }
}
