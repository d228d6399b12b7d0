package io.microstore.store;

import java.util.Iterator;
import java.util.PriorityQueue;

import io.microstore.store.query.IndexKey;

/** One range's next name in a merge by name ({@link Planner}), with the rest of the range behind it. */
record Head(String name, Iterator<IndexKey> rest) {
    /** Queues {@code it}'s first entry whose name sorts after {@code after} (null: its first), if any. */
    static void push(PriorityQueue<Head> heads, Iterator<IndexKey> it, String after) {
        while (it.hasNext()) {
            IndexKey k = it.next();
            if (after == null || Names.ORDER.compare(k.name(), after) > 0) {
                heads.add(new Head(k.name(), it));
                return;
            }
        }
    }
}
