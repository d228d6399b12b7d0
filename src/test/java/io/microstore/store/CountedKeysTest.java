package io.microstore.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import io.microstore.store.query.IndexKey;
import io.microstore.store.query.IndexPaths;
import io.microstore.store.query.IndexRanges;
import io.microstore.store.query.Selector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The counted tree against a sorted set holding the same entries: after every add and remove the two agree on
 * what changed and on the size, and the number of entries between two keys (entries and bounds, as the planner
 * asks) is the sorted set's, and so are the entries a walk between them returns, ascending and descending,
 * through splits and merges over three levels, down to empty.
 */
class CountedKeysTest {
    private static final IndexPaths V = IndexPaths.parse(List.of("/v"));

    private static IndexKey entry(String name, int v) {
        return IndexKey.entries(V, name, ("{\"v\":" + v + "}").getBytes(StandardCharsets.UTF_8))
                .getFirst();
    }

    /** The bounds of {@code $gte low, $lt high} on /v: bounds between entries, as a range count uses. */
    private static IndexKey[] bounds(int low, int high) {
        String where = "{\"/v\":{\"$gte\":" + low + ",\"$lt\":" + high + "}}";
        List<IndexKey[]> ranges = IndexRanges.of(Selector.parse(where.getBytes(StandardCharsets.UTF_8)), "/v")
                .ranges();
        return ranges.isEmpty() ? null : ranges.getFirst();
    }

    private static void compare(CountedKeys tree, TreeSet<IndexKey> model, Random r, List<IndexKey> pool) {
        assertEquals(model.size(), tree.size());
        for (int i = 0; i < 10; i++) {
            IndexKey a = pool.get(r.nextInt(pool.size()));
            IndexKey b = pool.get(r.nextInt(pool.size()));
            long want = IndexKey.ORDER.compare(a, b) > 0
                    ? 0
                    : model.subSet(a, true, b, true).size();
            assertEquals(want, tree.count(a, b), "entries from " + a.name() + " to " + b.name());
            IndexKey[] range = bounds(r.nextInt(60) - 5, r.nextInt(60) - 5);
            if (range != null) {
                assertEquals(model.subSet(range[0], true, range[1], true).size(), tree.count(range[0], range[1]));
                walks(tree, model, range[0], range[1]);
            }
            if (IndexKey.ORDER.compare(a, b) <= 0) {
                walks(tree, model, a, b);
            }
        }
        IndexKey[] all = IndexKey.everything(false);
        assertEquals(model.size(), tree.count(all[0], all[1]));
        walks(tree, model, all[0], all[1]);
    }

    /** The tree's walks from {@code from} to {@code to}, both ways, return the sorted set's entries in its order. */
    private static void walks(CountedKeys tree, TreeSet<IndexKey> model, IndexKey from, IndexKey to) {
        List<IndexKey> up = new ArrayList<>();
        tree.range(from, to, false).forEach(up::add);
        assertEquals(new ArrayList<>(model.subSet(from, true, to, true)), up, "walk up");
        List<IndexKey> down = new ArrayList<>();
        tree.range(from, to, true).forEach(down::add);
        assertEquals(new ArrayList<>(model.subSet(from, true, to, true).descendingSet()), down, "walk down");
    }

    @Test
    void countsAsASortedSetDoesThroughEveryChange() {
        Random r = new Random(Long.getLong("counted.seed", 20261206L));
        List<IndexKey> pool = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            pool.add(entry("n" + i, r.nextInt(50)));
        }
        CountedKeys tree = new CountedKeys();
        TreeSet<IndexKey> model = new TreeSet<>(IndexKey.ORDER);
        // Grow past two levels (64 x 64 entries), churn, shrink to nothing, grow again.
        int[][] phases = {{30_000, 90}, {30_000, 50}, {40_000, 5}, {20_000, 90}};
        for (int[] phase : phases) {
            for (int op = 0; op < phase[0]; op++) {
                IndexKey k = pool.get(r.nextInt(pool.size()));
                if (r.nextInt(100) < phase[1]) {
                    assertEquals(model.add(k), tree.add(k));
                } else {
                    assertEquals(model.remove(k), tree.remove(k));
                }
                if (op % 1500 == 0) {
                    compare(tree, model, r, pool);
                }
            }
            compare(tree, model, r, pool);
        }
        for (IndexKey k : pool) {
            assertEquals(model.remove(k), tree.remove(k));
        }
        compare(tree, model, r, pool);
        assertEquals(0, tree.size());
        // In order and in reverse order: every split and merge at one edge of the tree.
        TreeSet<IndexKey> first = new TreeSet<>(IndexKey.ORDER);
        first.addAll(pool.subList(0, 5000));
        for (IndexKey k : first) {
            assertEquals(model.add(k), tree.add(k));
        }
        compare(tree, model, r, pool);
        for (IndexKey k : first.descendingSet()) {
            assertEquals(model.remove(k), tree.remove(k));
            if (model.size() % 97 == 0) {
                compare(tree, model, r, pool);
            }
        }
        assertEquals(0, tree.size());
    }
}
