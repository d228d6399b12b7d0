package io.microstore.persist;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH (run by {@code make jmh}): one journal record, encoded with its CRC32C into a reused buffer,
 * and decoded with the CRC checked, for a small put and a put with a ~1 KiB value. In this package
 * (not {@code io.microstore.bench.jmh}) because {@link Records} and {@link RecordBuffer} are
 * package-private.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class RecordsBench {
    /** {@code small}: a 40-byte value; {@code 1k}: a 1 KiB value. */
    @Param({"small", "1k"})
    public String value;

    private final RecordBuffer buffer = new RecordBuffer(64 << 10); // the journal's buffer size
    private Commit commit;
    private byte[] line;

    @Setup
    public void setup() throws BadRecord {
        byte[] data = switch (value) {
            case "small" -> "{\"n\":1,\"s\":\"some small value\",\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            case "1k" -> kib();
            default -> throw new IllegalArgumentException(value);
        };
        commit = Commit.of(123_456_789L, Change.put("team-a/service-config", data));
        buffer.reset();
        Records.encode(buffer, commit);
        line = Arrays.copyOf(buffer.array(), buffer.size());
        JournalRecord back = Records.decode(line, 0, line.length - 1);
        if (back.commit().seq() != commit.seq()
                || !back.change().name().equals(commit.only().name())
                || !Arrays.equals(back.change().data(), data)) {
            throw new IllegalStateException("the record does not round-trip");
        }
    }

    /** A compact JSON object of exactly 1024 bytes. */
    private static byte[] kib() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; sb.length() < 980; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("\"key")
                    .append(i)
                    .append("\":\"value number ")
                    .append(i)
                    .append('"');
        }
        sb.append(",\"pad\":\"");
        while (sb.length() < 1022) {
            sb.append('x');
        }
        return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public int encode() {
        buffer.reset();
        Records.encode(buffer, commit);
        return buffer.size();
    }

    @Benchmark
    public JournalRecord decode() throws BadRecord {
        return Records.decode(line, 0, line.length - 1); // without the LF, as Recovery calls it
    }
}
