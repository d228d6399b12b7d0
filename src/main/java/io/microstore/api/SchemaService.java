package io.microstore.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code /api/schema}: the OpenAPI document as JSON, as the old service served it. The source is
 * the same static {@code META-INF/openapi.yaml} that helidon-openapi serves at {@code /openapi}.
 */
public final class SchemaService implements HttpService {
    /** Looked up once: every {@code Json.*} call would search the service loader again. */
    private static final JsonProvider JSON = JsonProvider.provider();

    static final String RESOURCE = "META-INF/openapi.yaml";

    private final byte[] schema = load();

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::schema).head("/", this::schema).any("/", MethodNotAllowed.handler("GET, HEAD"));
    }

    private void schema(ServerRequest req, ServerResponse res) {
        Responses.json(req, res, schema);
    }

    private static byte[] load() {
        try (InputStream in = SchemaService.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            StringWriter out = new StringWriter();
            JSON.createWriter(out).write(toJson(tree));
            return out.toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonValue toJson(Object node) {
        return switch (node) {
            case null -> JsonValue.NULL;
            case Map<?, ?> map -> {
                JsonObjectBuilder object = JSON.createObjectBuilder();
                // YAML keys like 200: are integers; OpenAPI's JSON form wants strings.
                map.forEach((key, value) -> object.add(String.valueOf(key), toJson(value)));
                yield object.build();
            }
            case List<?> list -> {
                JsonArrayBuilder array = JSON.createArrayBuilder();
                list.forEach(value -> array.add(toJson(value)));
                yield array.build();
            }
            case Boolean b -> b ? JsonValue.TRUE : JsonValue.FALSE;
            case Integer i -> JSON.createValue(i);
            case Long l -> JSON.createValue(l);
            case Number n -> JSON.createValue(new java.math.BigDecimal(n.toString()));
            default -> JSON.createValue(String.valueOf(node));
        };
    }
}
