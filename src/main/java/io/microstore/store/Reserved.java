package io.microstore.store;

import java.util.ArrayList;
import java.util.List;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;

/**
 * The names of the store's own records. An app name can never hold a control character ({@link Names#check}),
 * so a name that begins with U+0000 is the store's: it is written through the engine as a PUT is (journaled,
 * snapshotted, an etcd key under the dataset's prefix, with no change to any format), and the store keeps it
 * in its {@link Catalog}, never among the apps, in the feed, a listing, an export or a count. A kind of record
 * is one more prefix.
 */
final class Reserved {
    /** An index definition: {@code INDEX + id}, valued {@code {"paths": [...]}}. */
    static final String INDEX = "\u0000index/";
    /** An API key (the next kind; nothing writes it yet). */
    static final String KEY = "\u0000key/";

    private Reserved() {}

    static boolean is(String name) {
        return !name.isEmpty() && name.charAt(0) == '\u0000';
    }

    /** {@code commit} without its reserved changes: itself when it has none, null when it has nothing else. */
    static Commit visible(Commit commit) {
        List<Change> changes = commit.changes();
        boolean any = false;
        for (Change c : changes) {
            any |= is(c.name());
        }
        if (!any) {
            return commit;
        }
        List<Change> apps = new ArrayList<>(changes.size());
        for (Change c : changes) {
            if (!is(c.name())) {
                apps.add(c);
            }
        }
        return apps.isEmpty() ? null : new Commit(commit.seq(), apps);
    }

    /** {@code batch} without reserved changes (a commit of nothing else left out). */
    static List<Commit> visible(List<Commit> batch) {
        List<Commit> out = null;
        for (int i = 0; i < batch.size(); i++) {
            Commit v = visible(batch.get(i));
            if (v != batch.get(i) && out == null) {
                out = new ArrayList<>(batch.subList(0, i));
            }
            if (out != null && v != null) {
                out.add(v);
            }
        }
        return out == null ? batch : out;
    }
}
