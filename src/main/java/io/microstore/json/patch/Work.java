package io.microstore.json.patch;

import io.microstore.json.PatchRefused;

/**
 * What one patch may spend: every byte scanned, compared or written and every member or element listed is
 * charged, and a patch that would spend more than a fixed multiple of its own size and its document's is
 * refused (422). Each operation costs about what it touches, so only a patch built to amplify work (copy
 * a large value, change it, copy it again...) meets the limit; none can hold a thread for long.
 */
final class Work {
    /** Work allowed per byte of the patch and its document, beyond {@link #BASE}. */
    static final long PER_BYTE = 32;

    static final long BASE = 1 << 20;

    private final long limit;
    private long spent;

    Work(long documentBytes, long patchBytes) {
        this.limit = BASE + PER_BYTE * (documentBytes + patchBytes);
    }

    void charge(long units) {
        spent += units;
        if (spent > limit) {
            throw new PatchRefused("the patch would take more work than " + PER_BYTE + " steps per byte of the value "
                    + "and the patch; send a smaller patch, or PUT the whole value");
        }
    }
}
