package io.microstore.linearizability;

import java.time.Duration;
import java.util.Random;

import io.microstore.linearizability.Checker.Result;
import io.microstore.linearizability.Checker.Verdict;
import io.microstore.linearizability.Op.Kind;
import io.microstore.linearizability.Op.Status;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker on small histories whose verdict is known by hand, both ways. */
class CheckerTest {
    private static final long U = Op.NEVER;
    private final History h = new History();

    // process, [from, to] (to = U: unknown outcome), then what

    private void write(int p, long from, long to, String value, long etag) {
        h.add(
                p,
                "x",
                Kind.WRITE,
                value,
                Op.NO_ETAG,
                from,
                to,
                to == U ? Status.UNKNOWN : Status.OK,
                null,
                to == U ? Op.NO_ETAG : etag);
    }

    private void read(int p, long from, long to, String value, long etag) {
        h.add(p, "x", Kind.READ, null, Op.NO_ETAG, from, to, Status.OK, value, value == null ? Op.NO_ETAG : etag);
    }

    private void absent(int p, long from, long to) {
        read(p, from, to, null, Op.NO_ETAG);
    }

    private void cas(int p, long from, long to, long ifMatch, String value, long etag) {
        h.add(
                p,
                "x",
                Kind.CAS,
                value,
                ifMatch,
                from,
                to,
                to == U ? Status.UNKNOWN : Status.OK,
                null,
                to == U ? Op.NO_ETAG : etag);
    }

    private void casFailed(int p, long from, long to, long ifMatch, String value) {
        h.add(p, "x", Kind.CAS, value, ifMatch, from, to, Status.FAIL, null, Op.NO_ETAG);
    }

    private void create(int p, long from, long to, String value, long etag, boolean ok) {
        h.add(
                p,
                "x",
                Kind.CREATE,
                value,
                Op.NO_ETAG,
                from,
                to,
                ok ? Status.OK : Status.FAIL,
                null,
                ok ? etag : Op.NO_ETAG);
    }

    private void delete(int p, long from, long to) {
        h.add(p, "x", Kind.DELETE, null, Op.NO_ETAG, from, to, to == U ? Status.UNKNOWN : Status.OK, null, Op.NO_ETAG);
    }

    private Result check() {
        return new Checker(1_000_000, Duration.ofSeconds(10)).check(h);
    }

    private void assertLinearizable() {
        Result r = check();
        assertEquals(Verdict.LINEARIZABLE, r.verdict(), r::toString);
    }

    private Result assertNotLinearizable() {
        Result r = check();
        assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict(), r::toString);
        assertNotNull(r.counterexample());
        return r;
    }

    // --- linearizable ---------------------------------------------------------------------------

    @Test
    void anEmptyHistory() {
        assertLinearizable();
    }

    @Test
    void aSequentialHistory() {
        absent(1, 0, 1);
        create(1, 2, 3, "a", 10, true);
        read(2, 4, 5, "a", 10);
        create(2, 6, 7, "z", 0, false);
        cas(1, 8, 9, 10, "b", 11);
        casFailed(2, 10, 11, 10, "c");
        read(2, 12, 13, "b", 11);
        delete(1, 14, 15);
        absent(2, 16, 17);
        delete(2, 18, 19); // a delete of an absent key is ok too
        assertLinearizable();
    }

    @Test
    void overlappingWritesInEitherOrder() {
        write(1, 0, 10, "a", 1);
        write(2, 5, 15, "b", 2);
        read(3, 20, 21, "a", 1); // b took effect first, then a: both were in flight together
        assertLinearizable();
    }

    @Test
    void aReadConcurrentWithTwoWritesMaySeeEither() {
        write(1, 0, 1, "a", 1);
        write(2, 10, 30, "b", 2);
        write(3, 10, 30, "c", 3);
        read(4, 12, 28, "c", 3);
        read(5, 12, 28, "b", 2); // c then b, reads in between
        read(4, 31, 32, "b", 2);
        assertLinearizable();
    }

    @Test
    void aReadMaySeeAConcurrentWriteOrNot() {
        write(1, 0, 1, "a", 1);
        write(2, 10, 20, "b", 2);
        read(3, 11, 12, "a", 1);
        read(4, 13, 14, "b", 2);
        read(5, 11, 19, "a", 1);
        assertLinearizable();
    }

    @Test
    void onceAConcurrentWriteIsSeenLaterReadsSeeItToo() {
        write(1, 0, 1, "a", 1);
        write(2, 10, 20, "b", 2);
        read(3, 11, 12, "b", 2);
        read(4, 13, 14, "a", 1); // still during the write, but after b was seen
        assertNotLinearizable();
    }

    @Test
    void anUnknownWriteThatHappened() {
        write(1, 0, 1, "a", 1);
        write(2, 5, U, "b", 0);
        read(3, 100, 101, "b", 2); // the read pins its etag down
        cas(3, 102, 103, 2, "c", 3);
        assertLinearizable();
    }

    @Test
    void anUnknownWriteThatNeverHappened() {
        write(1, 0, 1, "a", 1);
        write(2, 5, U, "b", 0);
        read(3, 100, 101, "a", 1);
        read(3, 102, 103, "a", 1);
        assertLinearizable();
    }

    @Test
    void anUnknownWriteThatHappenedLate() {
        write(1, 0, 1, "a", 1);
        write(2, 5, U, "b", 0);
        read(3, 100, 101, "a", 1);
        read(3, 200, 201, "b", 7); // long after its client gave up: still allowed
        assertLinearizable();
    }

    @Test
    void racingCasOnOneEtagOneWins() {
        write(1, 0, 1, "a", 1);
        cas(2, 10, 20, 1, "b", 2);
        casFailed(3, 10, 20, 1, "c");
        create(4, 10, 20, "d", 0, false);
        read(5, 21, 22, "b", 2);
        assertLinearizable();
    }

    @Test
    void anUnknownCasMayMatchAnUnknownEtag() {
        write(1, 0, U, "a", 0);
        cas(2, 10, U, 5, "b", 0);
        read(3, 20, 21, "b", 6);
        assertLinearizable();
    }

    @Test
    void keysAreIndependent() {
        write(1, 0, 1, "a", 1);
        h.add(2, "y", Kind.WRITE, "b", Op.NO_ETAG, 2, 3, Status.OK, null, 2);
        h.add(2, "y", Kind.READ, null, Op.NO_ETAG, 4, 5, Status.OK, "b", 2);
        read(3, 4, 5, "a", 1);
        Result r = check();
        assertEquals(Verdict.LINEARIZABLE, r.verdict(), r::toString);
        assertEquals(2, r.keys().size());
    }

    // --- not linearizable -----------------------------------------------------------------------

    @Test
    void aStaleReadAfterACompletedWrite() {
        write(1, 0, 1, "a", 1);
        write(1, 2, 3, "b", 2);
        read(2, 4, 5, "a", 1);
        Result r = assertNotLinearizable();
        assertTrue(r.counterexample().contains("read x -> ok a \"1\""), r.counterexample());
        assertTrue(r.counterexample().contains("key x"), r.counterexample());
    }

    @Test
    void twoCasOnTheSameEtagBothOk() {
        write(1, 0, 1, "a", 1);
        cas(2, 10, 20, 1, "b", 2);
        cas(3, 10, 20, 1, "c", 3);
        assertNotLinearizable();
    }

    @Test
    void aReadOfAValueNeverWritten() {
        write(1, 0, 1, "a", 1);
        write(2, 5, 10, "b", 2);
        read(3, 6, 9, "z", 3);
        assertNotLinearizable();
    }

    @Test
    void aReadOfAWriteBeforeItWasInvoked() {
        read(3, 0, 2, "a", 1);
        write(1, 3, 4, "a", 1);
        assertNotLinearizable();
    }

    @Test
    void aLostAcknowledgedWrite() {
        create(1, 0, 1, "a", 1, true);
        absent(2, 5, 6);
        assertNotLinearizable();
    }

    @Test
    void aLostAcknowledgedWriteAmongConcurrentOnes() {
        write(1, 0, 10, "a", 1);
        write(2, 0, 10, "b", 2);
        read(3, 20, 21, "a", 1);
        read(3, 22, 23, "b", 2); // b was overwritten by a: seeing it again means a was lost
        assertNotLinearizable();
    }

    @Test
    void aReadWithTheWrongEtag() {
        write(1, 0, 1, "a", 1);
        read(2, 2, 3, "a", 7);
        assertNotLinearizable();
    }

    @Test
    void aFailedCasWhoseEtagWasCurrent() {
        write(1, 0, 1, "a", 1);
        casFailed(2, 2, 3, 1, "b");
        assertNotLinearizable();
    }

    @Test
    void aCreateOverAnExistingValue() {
        write(1, 0, 1, "a", 1);
        create(2, 2, 3, "b", 2, true);
        assertNotLinearizable();
    }

    @Test
    void anUnknownWriteSeenThenUnseen() {
        write(1, 0, 1, "a", 1);
        write(2, 5, U, "b", 0);
        read(3, 100, 101, "b", 2);
        read(3, 102, 103, "a", 1);
        assertNotLinearizable();
    }

    @Test
    void anUnknownDeleteCannotBringAValueBack() {
        write(1, 0, 1, "a", 1);
        delete(2, 2, U);
        absent(3, 10, 11);
        read(3, 12, 13, "a", 1);
        assertNotLinearizable();
    }

    @Test
    void aViolationHiddenInALongConcurrentHistoryIsFound() {
        Random random = new Random(42);
        long t = 0;
        long etag = 0;
        String last = null;
        // a sequential run with five concurrent readers over every write: linearizable...
        for (int i = 0; i < 300; i++) {
            long e = ++etag;
            String v = "v" + i;
            write(0, t, t + 10, v, e);
            for (int p = 1; p <= 5; p++) {
                long from = t + random.nextInt(10);
                boolean sees = random.nextBoolean();
                if (sees || last != null) {
                    read(p, from, t + 10 + random.nextInt(3), sees ? v : last, sees ? e : e - 1);
                }
            }
            last = v;
            t += 13;
        }
        assertLinearizable();
        // ...until a reader sees a value two writes old
        read(9, t, t + 1, "v297", 298);
        Result r = assertNotLinearizable();
        assertTrue(r.counterexample().contains("v297"), r.counterexample());
    }

    @Test
    void theBudgetEndsInUnknownNotAHang() {
        // many concurrent writes and a read nobody wrote: refuting it needs every order of the writes
        for (int p = 0; p < 20; p++) {
            write(p, 0, 100, "w" + p, p + 1);
        }
        read(99, 101, 102, "nobody", 1000);
        Result r = new Checker(5_000, Duration.ofSeconds(10)).check(h);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r::toString);
        Result quick = new Checker(Long.MAX_VALUE, Duration.ofMillis(50)).check(h);
        assertTrue(quick.verdict() != Verdict.LINEARIZABLE, quick::toString);
    }
}
