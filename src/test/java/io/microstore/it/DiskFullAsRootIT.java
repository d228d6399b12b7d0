package io.microstore.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.microstore.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real jar on a real full disk: a 16 MiB tmpfs that this test mounts (hence root: CI runs as root)
 * and unmounts. Filled with 1 MiB PUTs until 507 and then to the last byte: reads go on, health says
 * why, writes resume without a restart once a file is deleted; killed with SIGKILL and restarted on the
 * still-full disk (with a torn record at the journal's end, as a crash mid-write leaves, and no LOCK
 * file), it starts,
 * serves every acknowledged value and answers writes with 507 until there is room again.
 */
class DiskFullAsRootIT {
    private static final String ENOSPC = "No space left on device";
    private static final Duration RESUME = Duration.ofSeconds(30);
    /** A value that needs a new page of tmpfs: a smaller record may still fit in the journal's last page. */
    private static final String MORE_THAN_A_PAGE = "\"" + "r".repeat(8192) + "\"";

    private static Path mount;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> acknowledged = new LinkedHashMap<>(); // name -> data as sent

    @BeforeAll
    static void mountSmallTmpfs() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        mount = Files.createTempDirectory("microstore-diskfull");
        run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString());
    }

    @AfterAll
    static void unmount() throws Exception {
        if (mount != null) {
            run("umount", mount.toString());
            Files.delete(mount);
        }
    }

    @Test
    void aFullDiskRefusesWritesServesReadsAndRecoversWithoutARestartAndAfterKill9() throws Exception {
        Path data = mount.resolve("data");
        List<String> jvm = List.of("-Xmx256m");
        Path filler = Files.write(mount.resolve("filler"), new byte[2 << 20]); // deleted at the end for room
        try (ChildServer server = ChildServer.start(jvm, "--data", data.toString())) {
            String base = server.baseUrl();
            int big = fillWithMebibytes(base);
            assertThat("some 1 MiB values fitted", big, greaterThan(3));
            Path topUp = fillToTheLastByte(mount.resolve("top-up"));
            HttpResponse<String> refused = put(base, "small", MORE_THAN_A_PAGE);
            assertNoSpace(refused);
            assertEquals(
                    "application/problem+json",
                    refused.headers().firstValue("Content-Type").orElse(""));
            assertReadsServeEverythingAcknowledged(base);
            assertHealthSaysTheDiskIsFull(base);

            Files.delete(topUp);
            awaitWritesResume(base, "after-room");
            HttpResponse<String> health = get(base, "/observe/health");
            assertEquals(200, health.statusCode(), health.body());
            aCompactionWithoutRoomHarmsNothing(base, data);

            Files.write(reserve(), new byte[4096]); // one page of tmpfs
            fillToTheLastByte(mount.resolve("top-up-2"));
            assertNoSpace(put(base, "refused-before-kill", MORE_THAN_A_PAGE));
            server.kill9(); // with the disk full
        }
        Files.delete(reserve()); // room for what a crash in the middle of an append leaves
        Files.delete(data.resolve("LOCK")); // so that start-up must write it anew on the full disk
        appendATornRecord(data);
        Path topUp = fillToTheLastByte(mount.resolve("top-up-3"));
        try (ChildServer server = ChildServer.start(jvm, "--data", data.toString())) {
            String base = server.baseUrl();
            assertReadsServeEverythingAcknowledged(base);
            assertNoSpace(put(base, "refused", MORE_THAN_A_PAGE));
            assertHealthSaysTheDiskIsFull(base);
            assertFalse(brokenFiles(data), "no room to keep the torn record aside yet");
            assertThat(server.output(), containsString("the directory is locked all the same"));

            Files.delete(topUp);
            Files.delete(filler);
            awaitWritesResume(base, "after-restart");
            assertTrue(brokenFiles(data), "the torn record was kept aside once there was room");
            assertReadsServeEverythingAcknowledged(base);
            assertEquals(0, server.terminate(), "exit status after SIGTERM; it printed:\n" + server.output());
        }
        try (ChildServer server = ChildServer.start(jvm, "--data", data.toString())) {
            assertReadsServeEverythingAcknowledged(server.baseUrl());
            assertEquals(0, server.terminate());
        }
    }

    /** The snapshot of all those MiB cannot fit in what is left: 507, its .tmp gone, the journal as it was. */
    private void aCompactionWithoutRoomHarmsNothing(String base, Path data) throws Exception {
        Map<String, byte[]> before = contents(data);
        HttpRequest compact = HttpRequest.newBuilder(URI.create(base + "/api/admin/compact"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response = http.send(compact, HttpResponse.BodyHandlers.ofString());
        assertNoSpace(response);
        assertThat(response.body(), containsString("compaction"));
        Map<String, byte[]> after = contents(data);
        assertFalse(
                after.keySet().stream().anyMatch(n -> n.endsWith(".tmp")),
                after.keySet().toString());
        for (Map.Entry<String, byte[]> file : before.entrySet()) {
            assertTrue(Arrays.equals(file.getValue(), after.get(file.getKey())), file.getKey() + " changed");
        }
        HttpResponse<String> write = put(base, "after-compaction", "\"c\"");
        assertEquals(204, write.statusCode(), write.body());
        acknowledged.put("after-compaction", "\"c\"");
    }

    private static Map<String, byte[]> contents(Path data) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(data)) {
            for (Path p :
                    list.filter(p -> !p.getFileName().toString().equals("LOCK")).toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    private static Path reserve() {
        return mount.resolve("reserve");
    }

    /** PUTs 1 MiB values until the store answers 507; returns how many fitted. */
    private int fillWithMebibytes(String base) throws Exception {
        for (int i = 0; i < 64; i++) {
            String name = "fill-" + i;
            String value = "\"" + i + "-" + "m".repeat(1 << 20) + "\"";
            HttpResponse<String> response = put(base, name, value);
            if (response.statusCode() == 507) {
                assertNoSpace(response);
                return i;
            }
            assertEquals(204, response.statusCode(), response.body());
            acknowledged.put(name, value);
        }
        return fail("16 MiB took 64 MiB of values");
    }

    /** Writes {@code file} until the filesystem is full to its last byte, and returns it. */
    private static Path fillToTheLastByte(Path file) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int chunk = 1 << 16; chunk > 0; chunk /= 2) { // smaller and smaller, down to one byte
                ByteBuffer bytes = ByteBuffer.allocate(chunk);
                try {
                    while (true) {
                        out.write(bytes.clear());
                    }
                } catch (IOException e) {
                    assertThat(e.getMessage(), containsString(ENOSPC));
                }
            }
        }
        return file;
    }

    /** What a crash in the middle of an append leaves: part of a record at the end of the last segment. */
    private static void appendATornRecord(Path data) throws IOException {
        Path last;
        try (Stream<Path> files = Files.list(data)) {
            last = files.filter(p -> p.getFileName().toString().matches("journal-\\d+\\.jsonl"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
        Files.write(
                last,
                "{\"seq\":999999,\"op\":\"put\",\"na".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);
    }

    /**
     * Waits until health is up again (the store's space probe found room: the fact the server shows), then
     * writes {@code name}, which must be taken.
     */
    private void awaitWritesResume(String base, String name) throws Exception {
        Eventually.await("health is up again without a restart", RESUME, () -> {
            try {
                return get(base, "/observe/health").statusCode() == 200;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        HttpResponse<String> response = put(base, name, "\"" + name + "\"");
        assertEquals(204, response.statusCode(), "writes resume once health is up: " + response.body());
        acknowledged.put(name, "\"" + name + "\"");
    }

    private void assertReadsServeEverythingAcknowledged(String base) throws Exception {
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            HttpResponse<String> response = get(base, "/api/apps/" + e.getKey());
            assertEquals(200, response.statusCode(), e.getKey() + ": " + response.body());
            assertThat(e.getKey(), response.body().contains("\"data\":" + e.getValue()));
        }
    }

    private void assertHealthSaysTheDiskIsFull(String base) throws Exception {
        HttpResponse<String> health = get(base, "/observe/health");
        assertEquals(503, health.statusCode(), health.body());
        assertThat(health.body(), containsString(ENOSPC));
    }

    private static void assertNoSpace(HttpResponse<String> response) {
        assertEquals(507, response.statusCode(), response.body());
        assertThat(response.body(), containsString("\"status\":507"));
        assertThat(response.body(), containsString(ENOSPC));
    }

    private static boolean brokenFiles(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".broken"));
        }
    }

    private HttpResponse<String> put(String base, String name, String dataJson)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/apps/" + name))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"data\":" + dataJson + "}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
