package io.microstore.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.store.feed.ChangeFeed;
import io.microstore.testing.Changes;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The commit stream's reload: over the existing state, never through an empty one. */
class ApplierTest {
    private final Index index = new Index();
    private final ChangeFeed feed = new ChangeFeed(Stores.FEED);
    private final Applier stream = new Applier(index, new Indexes(index, command -> null), feed, Long.MAX_VALUE);

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> names() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Entry> e : index.entries()) {
            names.add(e.getKey() + "@" + e.getValue().seq());
        }
        return names;
    }

    @Test
    void aReloadOfARunningStoreKeepsEveryAppVisibleUntilItsNewValueAndResetsTheFeed() {
        stream.restore("a", json("1"), 1, 0);
        stream.restore("b", json("2"), 2, 0);
        stream.loaded(2);
        stream.committed(List.of(Commit.of(3, Change.put("c", json("3")))));

        stream.reload();
        assertEquals(List.of("a@1", "b@2", "c@3"), names(), "nothing is cleared by reload()");
        stream.restore("b", json("5"), 5, 0);
        assertNotNull(index.get("a"), "an app not restored yet keeps its old value");
        stream.restore("d", json("6"), 6, 0);
        stream.loaded(6);

        assertEquals(List.of("b@5", "d@6"), names(), "what the new state lacks is gone once it is loaded");
        assertThrows(FeedGone.class, () -> feed.read(3, 100, ""));
        assertEquals(6, feed.lastSeq());
    }

    @Test
    void aDamagedSnapshotsAppsAreDroppedWhenTheOlderStateAndItsJournalLackThem() {
        stream.restore("ghost", json("1"), 3, 0);
        stream.restore("kept", json("1"), 4, 0);
        stream.reload(); // the snapshot was damaged: an older one follows
        stream.restore("kept", json("0"), 2, 0);
        stream.replayed(Commit.of(3, Change.put("new", json("3"))));
        stream.replayed(Commit.of(4, Change.put("kept", json("4"))));
        stream.loaded(4);

        assertEquals(List.of("kept@4", "new@3"), names());
        assertEquals(
                List.of(3L, 4L),
                Changes.seqs(feed.read(2, 100, "")),
                "the first load's replay is the feed's window, not a reset");
    }
}
