package io.microstore.linearizability;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.microstore.linearizability.Op.Status;
import io.microstore.linearizability.RegisterModel.State;

/**
 * Decides whether a history of register operations is linearizable: the Wing and Gong search with Lowe's
 * memoisation, as Porcupine does it. Keys are independent registers, so the history is split per key and each
 * part searched on its own (linearizability is compositional).
 *
 * <p>For one key the calls and returns are put in time order in a doubly linked list. The search walks it: at a
 * call it tries to linearize that operation next (the model accepts it in the current state, and the pair
 * (set of linearized ops, resulting state) was never reached before), and if so takes the call and its return out
 * of the list and starts again at the front; at a return of an operation not yet linearized it backtracks (that
 * operation had to take effect before its return). An operation with an unknown outcome has its return at
 * infinity: it may be linearized anywhere after its call, and reaching the first such return means every known
 * operation has been linearized, so the rest "never happened". The search stops at a step or time budget with
 * {@link Verdict#UNKNOWN} rather than run for ever.
 */
public final class Checker {
    public enum Verdict {
        LINEARIZABLE,
        NOT_LINEARIZABLE,
        UNKNOWN
    }

    /** The verdict for the whole history, per-key verdicts, and a counterexample for the first key that failed. */
    public record Result(Verdict verdict, Map<String, Verdict> keys, String counterexample, long steps, Duration took) {
        public boolean linearizable() {
            return verdict == Verdict.LINEARIZABLE;
        }

        @Override
        public String toString() {
            return verdict + " (" + keys.size() + " keys, " + steps + " steps, " + took.toMillis() + " ms)"
                    + (counterexample == null ? "" : "\n" + counterexample);
        }
    }

    private final long maxSteps;
    private final Duration timeout;

    /** At most {@code maxSteps} search steps over all keys and {@code timeout} of wall time. */
    public Checker(long maxSteps, Duration timeout) {
        this.maxSteps = maxSteps;
        this.timeout = timeout;
    }

    public Checker() {
        this(50_000_000, Duration.ofSeconds(30));
    }

    public Result check(History history) {
        return check(history.ops());
    }

    public Result check(List<Op> ops) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, List<Op>> byKey = new LinkedHashMap<>();
        for (Op op : ops) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        Verdict overall = Verdict.LINEARIZABLE;
        String counterexample = null;
        long steps = 0;
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            Search search = new Search(e.getValue(), maxSteps - steps, deadline);
            Verdict v = search.run();
            steps += search.steps;
            verdicts.put(e.getKey(), v);
            if (v == Verdict.NOT_LINEARIZABLE) {
                if (overall != Verdict.NOT_LINEARIZABLE) {
                    counterexample = search.counterexample(e.getKey());
                }
                overall = Verdict.NOT_LINEARIZABLE;
            } else if (v == Verdict.UNKNOWN && overall == Verdict.LINEARIZABLE) {
                overall = Verdict.UNKNOWN;
                counterexample = "key " + e.getKey() + ": search budget exhausted after " + search.steps + " steps";
            }
        }
        return new Result(overall, verdicts, counterexample, steps, Duration.ofNanos(System.nanoTime() - start));
    }

    /** A call or return in the list. */
    private static final class Node {
        final Op op;
        final int index;
        final boolean call;
        final long time;
        Node match;
        Node prev;
        Node next;

        Node(Op op, int index, boolean call, long time) {
            this.op = op;
            this.index = index;
            this.call = call;
            this.time = time;
        }
    }

    private record Memo(BitSet linearized, State state) {}

    private record Frame(Node call, State before) {}

    /** One key's search. */
    private static final class Search {
        final List<Op> ops;
        final Node head = new Node(null, -1, false, Long.MIN_VALUE);
        final long maxSteps;
        final long deadline;
        long steps;
        /** The longest linearization found, as op indexes in order, and the states after each. */
        List<Frame> best = List.of();

        State bestState = RegisterModel.initial();

        Search(List<Op> ops, long maxSteps, long deadline) {
            this.ops = ops;
            this.maxSteps = maxSteps;
            this.deadline = deadline;
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                Node call = new Node(op, i, true, op.invoke());
                Node ret = new Node(op, i, false, op.complete());
                call.match = ret;
                ret.match = call;
                nodes.add(call);
                nodes.add(ret);
            }
            // at equal times calls first: operations that touch in time count as concurrent (the lenient reading)
            nodes.sort(Comparator.comparingLong((Node n) -> n.time)
                    .thenComparing(n -> !n.call)
                    .thenComparingInt(n -> n.index));
            Node prev = head;
            for (Node n : nodes) {
                prev.next = n;
                n.prev = prev;
                prev = n;
            }
        }

        static void lift(Node call) {
            call.prev.next = call.next;
            call.next.prev = call.prev;
            Node ret = call.match;
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }

        static void unlift(Node call) {
            Node ret = call.match;
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
            call.prev.next = call;
            call.next.prev = call;
        }

        Verdict run() {
            Set<Memo> seen = new HashSet<>();
            Deque<Frame> stack = new ArrayDeque<>();
            BitSet linearized = new BitSet(ops.size());
            State state = RegisterModel.initial();
            Node entry = head.next;
            while (true) {
                if (entry == null || entry.op.status() == Status.UNKNOWN && !entry.call) {
                    return Verdict.LINEARIZABLE; // nothing left, or only unknown ops that may never have happened
                }
                if (++steps > maxSteps || (steps & 1023) == 0 && System.nanoTime() > deadline) {
                    return Verdict.UNKNOWN;
                }
                if (entry.call) {
                    State next = RegisterModel.step(state, entry.op);
                    if (next != null) {
                        BitSet after = (BitSet) linearized.clone();
                        after.set(entry.index);
                        if (seen.add(new Memo(after, next))) {
                            stack.push(new Frame(entry, state));
                            state = next;
                            linearized = after;
                            lift(entry);
                            if (stack.size() > best.size()) {
                                best = new ArrayList<>(stack).reversed();
                                bestState = state;
                            }
                            entry = head.next;
                            continue;
                        }
                    }
                    entry = entry.next;
                } else {
                    if (stack.isEmpty()) {
                        return Verdict.NOT_LINEARIZABLE;
                    }
                    Frame top = stack.pop();
                    state = top.before;
                    linearized = (BitSet) linearized.clone();
                    linearized.clear(top.call.index);
                    unlift(top.call);
                    entry = top.call.next;
                }
            }
        }

        /**
         * The end of the longest linearization found, its state, and the operation that could not be placed
         * after it: the known operation with the earliest return among those left, with every operation left
         * that was invoked before that return (the candidates), each with why the model refuses it there.
         */
        String counterexample(String key) {
            BitSet placed = new BitSet(ops.size());
            for (Frame f : best) {
                placed.set(f.call.index);
            }
            Op stuck = null;
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (!placed.get(i)
                        && op.status() != Status.UNKNOWN
                        && (stuck == null || op.complete() < stuck.complete())) {
                    stuck = op;
                }
            }
            StringBuilder s = new StringBuilder("key ")
                    .append(key)
                    .append(": not linearizable (")
                    .append(ops.size())
                    .append(" ops on this key).\nLongest linearization found: ")
                    .append(best.size())
                    .append(" ops");
            int from = Math.max(0, best.size() - 8);
            s.append(from > 0 ? ", its last " + (best.size() - from) + ":" : ":");
            State after = RegisterModel.initial();
            for (int i = 0; i < best.size(); i++) {
                Frame f = best.get(i);
                after = i + 1 < best.size() ? best.get(i + 1).before : bestState;
                if (i >= from) {
                    s.append("\n  ")
                            .append(f.call.op.describe())
                            .append("   => ")
                            .append(after);
                }
            }
            s.append("\nthen in state ").append(bestState).append(" nothing can come next, though ");
            if (stuck == null) {
                return s.append("no known op is left (budget?)").toString();
            }
            s.append(stuck.describe()).append(" had returned by then. Candidates (invoked before it returned):");
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (!placed.get(i) && op.invoke() <= stuck.complete()) {
                    State next = RegisterModel.step(bestState, op);
                    s.append("\n  ")
                            .append(op.describe())
                            .append(
                                    next == null
                                            ? "   impossible here"
                                            : "   => " + next + " (but nothing completes the history after it)");
                }
            }
            return s.toString();
        }
    }
}
