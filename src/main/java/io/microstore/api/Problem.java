package io.microstore.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.http.Header;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.microstore.json.JsonWriter;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}): {@code type}, {@code title},
 * {@code status}, {@code detail} and optional extension members, plus headers that go with it
 * (Allow, Retry-After, ETag...).
 */
public record Problem(Status status, String detail, Map<String, Object> extensions, List<Header> headers) {
    public static final Header CONTENT_TYPE = HeaderValues.create("Content-Type", "application/problem+json");

    public Problem(Status status, String detail) {
        this(status, detail, Map.of(), List.of());
    }

    public Problem with(String member, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(member, value);
        return new Problem(status, detail, more, headers);
    }

    public Problem with(Header header) {
        return new Problem(status, detail, extensions, concat(headers, header));
    }

    /**
     * The JSON body. {@code type} is about:blank, so {@code title} is the status's reason phrase, unless a
     * {@code type} extension names a problem of its own (its title the same word, e.g. index-required).
     */
    public byte[] body() {
        Object type = extensions.get("type");
        return JsonWriter.toBytes(128, json -> {
            json.beginObject()
                    .name("type")
                    .value(type == null ? "about:blank" : type.toString())
                    .name("title")
                    .value(type == null ? status.reasonPhrase() : type.toString())
                    .name("status")
                    .value(status.code())
                    .name("detail")
                    .value(detail == null ? status.reasonPhrase() : detail);
            for (Map.Entry<String, Object> member : extensions.entrySet()) {
                if (member.getKey().equals("type")) {
                    continue;
                }
                json.name(member.getKey());
                if (member.getValue() instanceof Number || member.getValue() instanceof Boolean) {
                    json.raw(member.getValue().toString().getBytes(StandardCharsets.US_ASCII));
                } else {
                    json.value(String.valueOf(member.getValue()));
                }
            }
            json.endObject();
        });
    }

    private static List<Header> concat(List<Header> list, Header header) {
        return java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(header))
                .toList();
    }
}
