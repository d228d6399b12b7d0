package io.microstore.persist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.local.LocalConfig;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Outcome;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.Stores;

/**
 * Shared test helpers for data directories: crafting records, segments and snapshots with {@link Records},
 * damaging files, and reading a directory's state back. A state is a map name → {@code "<seq> <json>"},
 * so a failed comparison shows both the value and its ETag.
 */
final class JournalFiles {
    private JournalFiles() {}

    /** App names that need escaping or are not ASCII; the journal must keep any name, even ones the API refuses. */
    static final List<String> UNUSUAL_NAMES = List.of(
            "plain",
            "team/svc/config",
            "with space",
            "quote\"d",
            "back\\slash",
            "ünïcödé/日本語/😀",
            "control\n\t\r\b\f\u0000\u001f",
            "\u007f\u0080\u2028",
            "{\"seq\":1}",
            ",\"crc\":\"00000000\"}");

    /** Compact JSON values with escapes inside strings, UTF-8 and numbers. */
    static final List<String> UNUSUAL_VALUES = List.of(
            "{}",
            "null",
            "\"\"",
            "[1,-2.5e10,true,false,null]",
            "{\"s\":\"nl\\n q\\\" bs\\\\ nul\\u0000 tab\\t 😀\"}",
            "\"日本語 😀 ünï\"");

    static Commit put(long seq, String name, String json) {
        return Commit.of(seq, Change.put(name, json.getBytes(StandardCharsets.UTF_8)));
    }

    static Commit delete(long seq, String name) {
        return Commit.of(seq, Change.delete(name));
    }

    /** Puts and deletes for seq {@code from..to} over a handful of names, so later records overwrite earlier ones. */
    static List<Commit> commits(long from, long to) {
        List<Commit> list = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            String name = "app-" + seq % 5;
            list.add(seq % 7 == 0 ? delete(seq, name) : put(seq, name, "{\"v\":" + seq + ",\"s\":\"x\"}"));
        }
        return list;
    }

    /** The records of {@code commits}, one each. */
    static byte[] encode(Collection<Commit> commits) {
        RecordBuffer out = new RecordBuffer(256);
        commits.forEach(commit -> Records.encode(out, commit));
        return out.toByteArray();
    }

    /** A transaction at {@code seq}: puts of {@code {"t":seq}} to each of {@code names}, or deletes where the name starts with '-'. */
    static Commit txn(long seq, String... names) {
        List<Change> changes = new ArrayList<>();
        for (String name : names) {
            changes.add(
                    name.startsWith("-")
                            ? Change.delete(name.substring(1))
                            : Change.put(
                                    name, ("{\"t\":" + seq + ",\"s\":\"}],\\\"{\"}").getBytes(StandardCharsets.UTF_8)));
        }
        return new Commit(seq, changes);
    }

    /** Writes {@code journal-<firstSeq>.jsonl} holding exactly {@code records} (their seqs are not checked). */
    static Path writeSegment(Path dir, long firstSeq, List<Commit> records) throws IOException {
        return Files.write(new DataFiles(dir).segment(firstSeq), encode(records));
    }

    /** Writes a complete {@code snapshot-<seq>.jsonl} holding the final state of {@code history}. */
    static Path writeSnapshot(Path dir, long seq, List<Commit> history) throws IOException {
        RecordBuffer out = new RecordBuffer(256);
        Records.encodeHeader(out, seq);
        Map<String, Commit> apps = new TreeMap<>(); // name to a commit of its last put alone
        for (Commit commit : history) {
            for (Change change : commit.changes()) {
                if (change.isDelete()) {
                    apps.remove(change.name());
                } else {
                    apps.put(change.name(), Commit.of(commit.seq(), change));
                }
            }
        }
        apps.values().forEach(app -> Records.encode(out, app.seq(), app.only()));
        Records.encodeFooter(out, apps.size());
        return Files.write(new DataFiles(dir).snapshot(seq), out.toByteArray());
    }

    /** Byte offset where each line of {@code bytes} starts, followed by the length (the end of the last line). */
    static long[] lineStarts(byte[] bytes) {
        List<Long> starts = new ArrayList<>(List.of(0L));
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' && i + 1 < bytes.length) {
                starts.add(i + 1L);
            }
        }
        starts.add((long) bytes.length);
        return starts.stream().mapToLong(Long::longValue).toArray();
    }

    static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[Math.toIntExact(offset)] ^= (byte) 0xFF;
        Files.write(file, bytes);
    }

    static void zero(Path file, long offset, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(length), offset);
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    /** Writes {@code batch} to {@code journal} as the local engine's writer does (not synced). */
    static void append(Persistence journal, List<Commit> batch) throws IOException {
        batch.forEach(journal::append);
        journal.write();
    }

    static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    /** Copies the files of a data directory (not its LOCK) into a new directory {@code to}. */
    static Path copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String name : fileNames(from)) {
            Files.copy(from.resolve(name), to.resolve(name));
        }
        return to;
    }

    /** The names of the files in {@code dir}, sorted, without LOCK. */
    static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(DataFiles.LOCK))
                    .sorted()
                    .toList();
        }
    }

    static String segmentName(long firstSeq) {
        return String.format("journal-%020d.jsonl", firstSeq);
    }

    static String snapshotName(long seq) {
        return String.format("snapshot-%020d.jsonl", seq);
    }

    /** The state that replaying {@code history} in order leaves. */
    static SortedMap<String, String> stateOf(List<Commit> history) {
        SortedMap<String, String> state = new TreeMap<>();
        history.forEach(commit -> apply(state, commit));
        return state;
    }

    static SortedMap<String, String> stateOf(Store store) {
        SortedMap<String, String> state = new TreeMap<>();
        for (Map.Entry<String, Entry> e : store.entries()) {
            state.put(
                    e.getKey(),
                    show(e.getValue().seq(), e.getValue().data(), e.getValue().expires()));
        }
        return state;
    }

    private static void apply(SortedMap<String, String> state, Commit commit) {
        for (Change change : commit.changes()) {
            if (change.isDelete()) {
                state.remove(change.name());
            } else {
                state.put(change.name(), show(commit.seq(), change.data(), change.expires()));
            }
        }
    }

    /** An app as the states compare it: seq, value and, when it has one, its expiry. */
    private static String show(long seq, byte[] data, long expires) {
        return seq + " " + new String(data, StandardCharsets.UTF_8) + (expires > 0 ? " expires " + expires : "");
    }

    /** Collects what recovery hands over, the way the store's index does. */
    static final class StateSink implements CommitStream {
        final SortedMap<String, String> state = new TreeMap<>();
        int resets;

        @Override
        public void restore(String name, byte[] data, long seq, long expires) {
            state.put(name, show(seq, data, expires));
        }

        @Override
        public void replayed(Commit commit) {
            apply(state, commit);
        }

        @Override
        public void reload() {
            state.clear();
            resets++;
        }

        @Override
        public void loaded(long lastSeq) {}

        @Override
        public void committed(List<Commit> batch) {
            batch.forEach(commit -> apply(state, commit));
        }
    }

    /** What a directory holds after recovery. */
    record Loaded(long lastSeq, SortedMap<String, String> state) {}

    /** Opens {@code dir} with the real file system, loads it, and closes it again. */
    static Loaded load(Path dir) throws IOException {
        StateSink sink = new StateSink();
        try (JournalPersistence journal = JournalPersistence.open(Stores.journal(dir))) {
            return new Loaded(journal.load(sink), sink.state);
        }
    }

    /** A store over a journal in {@code config.dir()}; the journal is closed again when the store cannot open. */
    static Store openStore(JournalConfig config, LocalConfig storeConfig) throws IOException {
        JournalPersistence journal = JournalPersistence.open(config);
        try {
            return Stores.open(journal, storeConfig);
        } catch (IOException | RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    static Store openStore(Path dir) throws IOException {
        return openStore(Stores.journal(dir), Stores.LOCAL);
    }

    static Outcome put(Store store, String name, String json) {
        return store.execute(new Command.Put(name, json.getBytes(StandardCharsets.UTF_8), Precondition.NONE));
    }

    static Outcome delete(Store store, String name) {
        return store.execute(new Command.Delete(name, Precondition.NONE));
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
