package io.microstore.persist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The names of the files in a data directory (what each holds: {@code package-info.java}). */
record DataFiles(Path dir) {
    static final String LOCK = "LOCK";
    private static final Pattern SEGMENT = Pattern.compile("journal-(\\d{20})\\.jsonl");
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{20})\\.jsonl");

    /** A journal segment or a snapshot, with the sequence number in its name. */
    record Numbered(Path path, long seq) {}

    Path segment(long firstSeq) {
        return dir.resolve(String.format("journal-%020d.jsonl", firstSeq));
    }

    Path snapshot(long seq) {
        return dir.resolve(String.format("snapshot-%020d.jsonl", seq));
    }

    /** Journal segments, oldest first. */
    List<Numbered> segments() throws IOException {
        return list(SEGMENT, Comparator.comparingLong(Numbered::seq));
    }

    /** Snapshots, newest first. */
    List<Numbered> snapshots() throws IOException {
        return list(SNAPSHOT, Comparator.comparingLong(Numbered::seq).reversed());
    }

    List<Path> withSuffix(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    /** A name for keeping {@code file}'s damaged bytes aside that does not exist yet. */
    Path broken(Path file) {
        Path candidate = file.resolveSibling(file.getFileName() + ".broken");
        for (int i = 1; Files.exists(candidate); i++) {
            candidate = file.resolveSibling(file.getFileName() + "." + i + ".broken");
        }
        return candidate;
    }

    private List<Numbered> list(Pattern pattern, Comparator<Numbered> order) throws IOException {
        List<Numbered> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (m.matches()) {
                    found.add(new Numbered(p, Long.parseLong(m.group(1))));
                }
            });
        }
        found.sort(order);
        return found;
    }
}
