package io.microstore.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The OpenAPI document ({@code META-INF/openapi.yaml}, what {@code /api/schema} serves) as a contract
 * every response must keep: {@link TestClient} hands it each response it receives, so every HTTP test
 * checks, besides its own assertions, that the server says what the document says.
 *
 * <p>For a request whose path and method name an operation (HEAD as the GET of the same path; a
 * {@code /api/apps/} as {@code /api/apps}, as the server routes it): the
 * status is declared (or {@code default}); a body comes with a declared content type; a JSON body
 * (application/json, *+json) is valid against that content's schema; a declared response with content
 * has a body (not for HEAD); every header the document marks {@code required} is there, and a declared
 * header with an integer or pattern schema has such a value. Schemas are read <em>closed</em>: an object
 * schema with {@code properties} and no {@code additionalProperties} accepts no other member (allOf is
 * merged first), because a generated client drops members its model does not declare.
 *
 * <p>A request under {@code /api/} that names no operation (unknown route, undeclared method: 404 or
 * 405) cannot be matched to a declared response; its answer must still be an error status with a body
 * valid against {@code components/schemas/Problem}. Other paths (/observe, /openapi, the UI) are not
 * described by the document and not checked; nor are CORS preflights (OPTIONS) that succeed.
 */
public final class ApiContract {
    private static final String RESOURCE = "META-INF/openapi.yaml";
    /** Values may nest deeper than Jackson's default 500 levels (the server takes 1000). */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(100_000)
                            .build())
                    .build())
            .build();

    private static final Set<String> METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final String PROBLEM = "/components/schemas/Problem";
    private static volatile ApiContract document;

    private final JsonNode doc;
    private final ObjectNode closed;
    private final List<Route> routes = new ArrayList<>();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30());
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private ApiContract(String yaml) {
        doc = new YAMLMapper().readTree(yaml);
        closed = closeAll(doc);
        doc.path("paths").propertyNames().forEach(path -> routes.add(new Route(path)));
        // Literal paths before templates, so /api/apps never falls to a {name} template.
        routes.sort((a, b) -> Boolean.compare(a.template, b.template));
    }

    /** The document the server serves, read once from the class path. */
    public static ApiContract document() {
        ApiContract d = document;
        if (d == null) {
            String yaml = resource();
            List<String> messages = parse(yaml);
            if (!messages.isEmpty()) {
                throw new AssertionError(RESOURCE + " is not a valid OpenAPI document: " + messages);
            }
            document = d = new ApiContract(yaml);
        }
        return d;
    }

    /** A contract from other text, for testing the checker itself. */
    public static ApiContract of(String yaml) {
        return new ApiContract(yaml);
    }

    /** The document's text. */
    public static String resource() {
        try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What swagger-parser finds wrong with {@code yaml} as an OpenAPI document (empty: nothing). */
    public static List<String> parse(String yaml) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml, null, options);
        List<String> messages = new ArrayList<>(result.getMessages() == null ? List.of() : result.getMessages());
        if (result.getOpenAPI() == null) {
            messages.add("no document");
        }
        return messages;
    }

    /** Every operationId of the document. */
    public Set<String> operationIds() {
        Set<String> ids = new LinkedHashSet<>();
        doc.path("paths")
                .forEach(item -> item.properties().forEach(op -> {
                    if (METHODS.contains(op.getKey())) {
                        ids.add(op.getValue().path("operationId").asString());
                    }
                }));
        return ids;
    }

    /**
     * {@code path}, but {@code /api/apps/} is {@code /api/apps}: the server answers the listing there too
     * (Helidon's routing of a service's "/"). Other trailing slashes are paths the document does not name
     * ({@code /api/schema/} needs the token where {@code /api/schema} does not).
     */
    private static String route(String path) {
        return path.equals("/api/apps/") ? "/api/apps" : path;
    }

    /** The operationId that {@code method} on the raw {@code path} names, or null. */
    public String operationId(String method, String rawPath) {
        String m = method.toLowerCase(Locale.ROOT);
        String path = route(rawPath);
        for (Route route : routes) {
            if (route.pattern.matcher(path).matches()) {
                JsonNode op = route.item(doc).path(m);
                return op.isObject() ? op.path("operationId").asString() : null;
            }
        }
        return null;
    }

    /** Fails with every violation of the document by {@code res}, the answer to {@code method path}. */
    public void check(String method, String path, TestClient.Res res) {
        List<String> violations = violations(method, path, res.status(), res.headers(), res.body());
        if (!violations.isEmpty()) {
            throw new AssertionError(
                    "the response does not match " + RESOURCE + ": " + violations + "\n  " + res.describe());
        }
    }

    /** Every way the response disagrees with the document; empty when it matches. */
    public List<String> violations(String method, String target, int status, HttpHeaders headers, byte[] body) {
        String m = method.toLowerCase(Locale.ROOT);
        String path = route(target.split("[?#]", 2)[0]);
        JsonNode operation = null;
        String pointer = null;
        String name = null;
        for (Route route : routes) {
            if (route.pattern.matcher(path).matches()) {
                String op = m.equals("head") && !route.item(doc).has("head") ? "get" : m;
                if (METHODS.contains(op) && route.item(doc).has(op)) {
                    operation = route.item(doc).get(op);
                    pointer = "/paths/" + escape(route.path) + "/" + op;
                    name = op.toUpperCase(Locale.ROOT) + " " + route.path;
                }
                break;
            }
        }
        List<String> out = new ArrayList<>();
        if (operation == null) {
            if (!path.startsWith("/api/") || (m.equals("options") && status < 400)) {
                return out;
            }
            if (status < 400) {
                out.add(method + " " + path + " names no operation of the document, yet got " + status);
                return out;
            }
            ObjectNode problem = JSON.createObjectNode();
            problem.putObject("application/problem+json")
                    .putObject("schema")
                    .put("$ref", "#/components/schemas/Problem");
            contentAndBody(out, "the problem for an undescribed route", problem, PROBLEM, m, headers, body);
            return out;
        }
        JsonNode responses = operation.path("responses");
        String code = Integer.toString(status);
        String key = responses.has(code)
                ? code
                : responses.has(code.charAt(0) + "XX")
                        ? code.charAt(0) + "XX"
                        : responses.has("default") ? "default" : null;
        if (key == null) {
            out.add("status " + status + " is not declared for " + name);
            return out;
        }
        String at = pointer + "/responses/" + key;
        JsonNode response = responses.get(key);
        while (response.has("$ref")) {
            at = response.get("$ref").stringValue().substring(1);
            response = doc.at(at);
        }
        for (var header : response.path("headers").properties()) {
            JsonNode declared = header.getValue();
            while (declared.has("$ref")) {
                declared = doc.at(declared.get("$ref").stringValue().substring(1));
            }
            List<String> values = headers.allValues(header.getKey());
            if (values.isEmpty()) {
                if (declared.path("required").asBoolean(false)) {
                    out.add("required header " + header.getKey() + " is missing (" + at + ")");
                }
                continue;
            }
            JsonNode schema = declared.path("schema");
            for (String value : values) {
                if (schema.path("type").asString("").equals("integer") && !value.matches("-?[0-9]+")) {
                    out.add("header " + header.getKey() + ": " + value + " is not an integer");
                }
                if (schema.has("pattern")
                        && !Pattern.compile(schema.get("pattern").asString())
                                .matcher(value)
                                .find()) {
                    out.add("header " + header.getKey() + ": " + value + " does not match " + schema.get("pattern"));
                }
            }
        }
        contentAndBody(out, at, closed.at(at + "/content"), null, m, headers, body);
        return out;
    }

    /** {@code content} is the declared content at {@code at}; {@code schemaPointer} overrides its schema. */
    private void contentAndBody(
            List<String> out,
            String at,
            JsonNode content,
            String schemaPointer,
            String method,
            HttpHeaders headers,
            byte[] body) {
        String what = at;
        boolean hasBody = body != null && body.length > 0;
        if (!hasBody) {
            // An empty body is fine for text (an empty export) but never valid JSON.
            boolean onlyJson = !content.isMissingNode()
                    && !content.isEmpty()
                    && content.propertyNames().stream().allMatch(ApiContract::isJson);
            if (onlyJson && !method.equals("head")) {
                out.add(what + " declares content " + content.propertyNames() + " but the body is empty");
            }
            return;
        }
        String type = headers.firstValue("Content-Type")
                .orElse("")
                .split(";", 2)[0]
                .trim()
                .toLowerCase(Locale.ROOT);
        if (content.isMissingNode() || content.isEmpty()) {
            out.add(what + " declares no content, yet the body is " + type + ": " + abbreviate(body));
            return;
        }
        String media = null;
        for (String declared : content.propertyNames()) {
            if (declared.equals(type)
                    || declared.equals("*/*")
                    || declared.endsWith("/*") && type.startsWith(declared.substring(0, declared.length() - 1))) {
                media = declared;
                break;
            }
        }
        if (media == null) {
            out.add(what + ": Content-Type " + type + " is not one of " + content.propertyNames());
            return;
        }
        if (!isJson(type) || !content.path(media).has("schema")) {
            return;
        }
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        } catch (RuntimeException e) {
            out.add(what + ": the " + type + " body is not JSON: " + e.getMessage());
            return;
        }
        String pointer = schemaPointer != null ? schemaPointer : at + "/content/" + escape(media) + "/schema";
        for (Error error : schema(pointer).validate(instance)) {
            out.add(what + " (" + media + "): " + error.getMessage());
        }
    }

    /** The (closed) schema at {@code pointer} of the document, with the document's components around it for $refs. */
    private Schema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> {
            ObjectNode root = JSON.createObjectNode();
            root.set("components", closed.get("components"));
            root.putArray("allOf").add(closed.at(p));
            return registry.getSchema(root);
        });
    }

    // --- closing the schemas ------------------------------------------------------------------

    /** A copy of the document whose object schemas accept no undeclared member. */
    private static ObjectNode closeAll(JsonNode doc) {
        ObjectNode copy = (ObjectNode) doc.deepCopy();
        close(copy, doc);
        return copy;
    }

    private static void close(JsonNode node, JsonNode doc) {
        if (node instanceof ObjectNode object) {
            if (object.get("allOf") instanceof ArrayNode all && all.size() > 0) {
                merge(object, all, doc);
            }
            if (object.get("properties") instanceof ObjectNode && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            for (Iterator<JsonNode> it = object.values().iterator(); it.hasNext(); ) {
                close(it.next(), doc);
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(child -> close(child, doc));
        }
    }

    /** Replaces {@code allOf} by one object schema with every member's properties and required names. */
    private static void merge(ObjectNode object, ArrayNode all, JsonNode doc) {
        ObjectNode properties = JsonNodeFactory.instance.objectNode();
        Set<String> required = new LinkedHashSet<>();
        for (JsonNode part : all) {
            JsonNode p = part;
            while (p.has("$ref")) {
                p = doc.at(p.get("$ref").stringValue().substring(1));
            }
            if (p.has("allOf")) {
                ObjectNode inner = (ObjectNode) p.deepCopy();
                merge(inner, (ArrayNode) inner.get("allOf"), doc);
                p = inner;
            }
            p.path("properties")
                    .properties()
                    .forEach(e -> properties.set(e.getKey(), e.getValue().deepCopy()));
            p.path("required").forEach(r -> required.add(r.asString()));
        }
        object.remove("allOf");
        object.put("type", "object");
        object.set("properties", properties);
        if (!required.isEmpty()) {
            ArrayNode names = object.putArray("required");
            required.forEach(names::add);
        }
    }

    private static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String abbreviate(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** A path of the document as a pattern: a {param} is one or more characters, '/' included (app names have them). */
    private static final class Route {
        final String path;
        final Pattern pattern;
        final boolean template;

        Route(String path) {
            this.path = path;
            this.template = path.contains("{");
            this.pattern = Pattern.compile(Pattern.quote(path).replaceAll("\\{[^}]*}", "\\\\E.+\\\\Q"));
        }

        JsonNode item(JsonNode doc) {
            return doc.path("paths").path(path);
        }
    }
}
