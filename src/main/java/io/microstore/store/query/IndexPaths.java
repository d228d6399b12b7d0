package io.microstore.store.query;

import java.util.ArrayList;
import java.util.List;

/** The pointers of a secondary index, parsed once: what {@link IndexKey#entries} reads from each app. */
public final class IndexPaths {
    final List<Path> paths;

    private IndexPaths(List<Path> paths) {
        this.paths = paths;
    }

    /** @throws BadQuery when a pointer is malformed */
    public static IndexPaths parse(List<String> pointers) {
        List<Path> paths = new ArrayList<>();
        for (String p : pointers) {
            paths.add(Path.parse(p, "paths"));
        }
        return new IndexPaths(List.copyOf(paths));
    }

    public int size() {
        return paths.size();
    }
}
