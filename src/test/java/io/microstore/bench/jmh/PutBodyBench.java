package io.microstore.bench.jmh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.microstore.json.CompactJson;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import jakarta.json.JsonWriter;
import jakarta.json.JsonWriterFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH (run by {@code make jmh}): what a PUT does with its body, {@code CompactJson.member(body,
 * "data")} (validate the whole body, return the compact bytes of {@code data}), against the same with
 * Parsson: read the body into a tree, take {@code data}, write it back compact.
 *
 * <ul>
 * <li>{@code compactJson}: what microstore does.
 * <li>{@code parssonFactory}: Parsson through reader and writer factories made once (what a careful
 *     JSON-P user does).
 * <li>{@code parssonStatic}: {@code Json.createReader(...)} and {@code Json.createWriter(...)} per
 *     call, which look the provider up with a ServiceLoader each time (what PATCH and import do today).
 * </ul>
 *
 * <p>Bodies: {@code small} is 55 bytes, {@code 1k} 1 KiB, both with a space after ':' and ',' as
 * Python's json.dumps writes; {@code 64k} is 64 KiB pretty-printed, nested 7 levels deep, with
 * escapes, non-ASCII text, decimals, booleans and nulls.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PutBodyBench {
    @Param({"small", "1k", "64k"})
    public String body;

    private static final JsonReaderFactory READERS = Json.createReaderFactory(Map.of());
    private static final JsonWriterFactory WRITERS = Json.createWriterFactory(Map.of());

    private byte[] bytes;

    @Setup
    public void setup() {
        bytes = (switch (body) {
                    case "small" -> "{\"data\": {\"n\": 1, \"s\": \"some small value\", \"ok\": true}}";
                    case "1k" -> flat(1024);
                    case "64k" -> nested(64 << 10);
                    default -> throw new IllegalArgumentException(body);
                })
                .getBytes(StandardCharsets.UTF_8);
        // All three must agree on the value; the bytes may differ (Parsson writes the 64k body's escaped é as é
        // itself).
        JsonValue expected = READERS.createReader(new ByteArrayInputStream(bytes))
                .readObject()
                .get("data");
        for (byte[] out : new byte[][] {compactJson(), parssonFactory(), parssonStatic()}) {
            if (!READERS.createReader(new ByteArrayInputStream(out)).readValue().equals(expected)) {
                throw new IllegalStateException("the implementations disagree on " + body);
            }
        }
    }

    /** A flat object in {@code data}, padded to exactly {@code size} bytes. */
    private static String flat(int size) {
        StringBuilder sb = new StringBuilder("{\"data\": {");
        for (int i = 0; sb.length() < size - 80; i++) {
            sb.append(i == 0 ? "" : ", ").append("\"field").append(i).append("\": ");
            switch (i % 4) {
                case 0 -> sb.append(i * 37);
                case 1 -> sb.append("\"text value ").append(i).append('"');
                case 2 -> sb.append(i % 3 == 0);
                default -> sb.append(i).append(".25");
            }
        }
        sb.append(", \"pad\": \"");
        while (sb.length() < size - 3) {
            sb.append('x');
        }
        return sb.append("\"}}").toString();
    }

    /** {@code {"data": {"version": 3, "items": [...]}}}, pretty-printed, about {@code size} bytes. */
    private static String nested(int size) {
        StringBuilder sb = new StringBuilder("{\n  \"data\": {\n    \"version\": 3,\n    \"items\": [");
        for (int i = 0; utf8Length(sb) < size - 600; i++) {
            sb.append(i == 0 ? "\n" : ",\n").append("""
                          {
                            "id": %d,
                            "name": "item %d – café 日本",
                            "price": %d.5,
                            "tags": ["alpha", "beta", "gamma"],
                            "attrs": {
                              "color": "red",
                              "dims": {"w": 1, "h": 2, "d": [1, 2, 3]}
                            },
                            "active": true,
                            "note": null,
                            "text": "line\\nbreak \\"quoted\\" \\u00e9"
                          }""".formatted(i, i, i));
        }
        sb.append("\n    ],\n    \"pad\": \"");
        sb.append("x".repeat(size - 8 - utf8Length(sb)));
        return sb.append("\"\n  }\n}\n").toString();
    }

    private static int utf8Length(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    @Benchmark
    public byte[] compactJson() {
        return CompactJson.member(bytes, "data");
    }

    @Benchmark
    public byte[] parssonFactory() {
        JsonValue data;
        try (JsonReader reader = READERS.createReader(new ByteArrayInputStream(bytes))) {
            data = reader.readObject().get("data");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        try (JsonWriter writer = WRITERS.createWriter(out)) {
            writer.write(data);
        }
        return out.toByteArray();
    }

    @Benchmark
    public byte[] parssonStatic() {
        JsonValue data;
        try (JsonReader reader = Json.createReader(new ByteArrayInputStream(bytes))) {
            data = reader.readObject().get("data");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        try (JsonWriter writer = Json.createWriter(out)) {
            writer.write(data);
        }
        return out.toByteArray();
    }

    /** Prints the bodies' sizes, to check the numbers in the class comment. */
    public static void main(String[] args) {
        for (String b : new String[] {"small", "1k", "64k"}) {
            PutBodyBench bench = new PutBodyBench();
            bench.body = b;
            bench.setup();
            System.out.println(b + ": " + bench.bytes.length + " bytes, data " + bench.compactJson().length
                    + " bytes compact; Parsson writes " + bench.parssonFactory().length
                    + (Arrays.equals(bench.compactJson(), bench.parssonFactory())
                            ? " (the same bytes)"
                            : " (other bytes)"));
        }
    }
}
