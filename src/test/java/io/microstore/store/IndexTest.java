package io.microstore.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A first load's names restored in order: kept aside, then in both maps at once, as if put one by one. */
class IndexTest {
    private final Index index = new Index();

    private static Entry entry(long seq) {
        return new Entry(("" + seq).getBytes(StandardCharsets.UTF_8), seq);
    }

    private List<String> listed() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Entry> e : index.list("", null, 100).items()) {
            names.add(e.getKey() + "@" + e.getValue().seq());
        }
        return names;
    }

    @Test
    void namesRestoredInOrderAreFoundByNameAndListedInOrderOnceSettled() {
        assertTrue(index.restoreInOrder("a", entry(1)));
        assertTrue(index.restoreInOrder("b", entry(2)));
        assertTrue(index.restoreInOrder("c\uD83D\uDE00", entry(3))); // a surrogate pair sorts by code point
        assertFalse(index.restoreInOrder("c\uFFFD", entry(4)), "U+FFFD sorts before U+1F600");
        index.settle();

        assertEquals(List.of("a@1", "b@2", "c\uD83D\uDE00@3"), listed());
        assertEquals(3, index.size());
        assertEquals(2, index.get("b").seq());
        assertEquals(
                Index.cost("a", entry(1).data())
                        + Index.cost("b", entry(2).data())
                        + Index.cost("c\uD83D\uDE00", entry(3).data()),
                index.bytes());
    }

    @Test
    void aNameOutOfOrderOrTwiceIsLeftToPutWhichSettlesFirst() {
        assertTrue(index.restoreInOrder("a", entry(1)));
        assertTrue(index.restoreInOrder("c", entry(2)));
        assertFalse(index.restoreInOrder("b", entry(3)));
        assertFalse(index.restoreInOrder("c", entry(4)));
        index.put("b", entry(3));
        index.put("c", entry(4));

        assertEquals(List.of("a@1", "b@3", "c@4"), listed());
        assertEquals(3, index.size());
        assertFalse(index.restoreInOrder("d", entry(5)), "only into an empty index");
    }

    @Test
    void theCommitStreamsOwnCallsSeeTheNamesKeptAside() {
        index.restoreInOrder("a", entry(1));
        index.restoreInOrder("b", entry(2));
        assertEquals(1, index.peek("a").seq());

        index.restoreInOrder("c", entry(3)); // after the first settle: the index is not empty, so refused
        assertNull(index.peek("c"));
        index.remove("a");
        assertNull(index.peek("a"));
        List<String> names = new ArrayList<>();
        index.entries().forEach(e -> names.add(e.getKey()));
        assertEquals(List.of("b"), names);
        assertEquals(Index.cost("b", entry(2).data()), index.bytes());
    }
}
