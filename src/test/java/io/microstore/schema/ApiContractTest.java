package io.microstore.schema;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.microstore.testing.ApiContract;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The checker every HTTP test runs ({@link ApiContract}, hooked into TestClient) catches what it is
 * for: real responses of a real server pass against the document, and fail once a mismatch is planted
 * in the document (the two bugs a generated client found: listing items without {@code data}, the 412
 * problem without {@code etag}) or in the response (undeclared status, content type, a body the schema
 * refuses, a missing required header, an unknown route answered without a problem).
 */
class ApiContractTest extends ServerTestBase {
    private static final ApiContract DOCUMENT = ApiContract.document();

    @BeforeEach
    void oneApp() {
        http.putApp("config", "{\"color\":\"blue\"}");
    }

    @Test
    void theDocumentIsValidOpenApiAndABrokenOneIsNot() {
        assertThat(ApiContract.parse(ApiContract.resource()), is(empty()));
        String broken = ApiContract.resource().replace("#/components/schemas/ListItem", "#/components/schemas/Missing");
        assertThat(ApiContract.parse(broken), is(not(empty())));
    }

    @Test
    void listingItemsWithoutDataInTheDocumentFailTheIncludeDataListing() {
        Res listing = http.get("/api/apps?include=data");
        assertThat(violations(DOCUMENT, "GET", "/api/apps?include=data", listing), is(empty()));

        String yaml = ApiContract.resource();
        String dataMember = """
                        data:
                          description: The app's value (any JSON value, null included); only with `include=data`.
                """;
        assertThat(yaml, containsString(dataMember));
        ApiContract old = ApiContract.of(yaml.replace(dataMember, ""));
        assertThat(violations(old, "GET", "/api/apps?include=data", listing).toString(), containsString("'data'"));
        assertThat(violations(old, "GET", "/api/apps", http.get("/api/apps")), is(empty()));
    }

    @Test
    void aPreconditionProblemWithoutEtagInTheDocumentFails() {
        Res stale = http.putApp("config", "1", "If-Match", "\"1000000\"");
        assertThat(stale.status(), is(412));
        assertThat(violations(DOCUMENT, "PUT", "/api/apps/config", stale), is(empty()));

        String yaml = ApiContract.resource();
        String etagMember = "            etag: {type: string, description:";
        assertThat(yaml, containsString(etagMember));
        ApiContract old =
                ApiContract.of(yaml.replace(etagMember, "            etag_renamed: {type: string, description:"));
        assertThat(violations(old, "PUT", "/api/apps/config", stale).toString(), containsString("'etag'"));
    }

    @Test
    void anUndeclaredStatusFails() {
        Res got = http.get("/api/apps/config");
        assertThat(
                violations(DOCUMENT, "GET", "/api/apps/config", with(got, 201, got.headers(), got.body())),
                hasItem("status 201 is not declared for GET /api/apps/{name}"));
    }

    @Test
    void anUndeclaredContentTypeFails() {
        Res got = http.get("/api/apps/config");
        HttpHeaders text = replace(got.headers(), "Content-Type", "text/plain");
        assertThat(
                violations(DOCUMENT, "GET", "/api/apps/config", with(got, 200, text, got.body()))
                        .toString(),
                containsString("Content-Type text/plain is not one of [application/json]"));
    }

    @Test
    void aBodyTheSchemaRefusesFails() {
        Res got = http.get("/api/apps/config");
        byte[] withoutData = "{\"name\":\"config\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(
                violations(DOCUMENT, "GET", "/api/apps/config", with(got, 200, got.headers(), withoutData))
                        .toString(),
                containsString("required property 'data' not found"));
        byte[] extra = "{\"name\":\"config\",\"data\":1,\"version\":3}".getBytes(StandardCharsets.UTF_8);
        assertThat(
                violations(DOCUMENT, "GET", "/api/apps/config", with(got, 200, got.headers(), extra))
                        .toString(),
                containsString("'version'"));
        assertThat(
                violations(DOCUMENT, "GET", "/api/apps/config", with(got, 200, got.headers(), new byte[0]))
                        .toString(),
                containsString("the body is empty"));
    }

    @Test
    void aMissingRequiredHeaderFails() {
        Res put = http.putApp("config", "2");
        assertThat(put.status(), is(204));
        assertThat(violations(DOCUMENT, "PUT", "/api/apps/config", put), is(empty()));
        HttpHeaders noEtag = replace(put.headers(), "ETag", null);
        assertThat(
                violations(DOCUMENT, "PUT", "/api/apps/config", with(put, 204, noEtag, put.body()))
                        .toString(),
                containsString("required header ETag is missing"));
        HttpHeaders badEtag = replace(put.headers(), "ETag", "W/\"2\"");
        assertThat(
                violations(DOCUMENT, "PUT", "/api/apps/config", with(put, 204, badEtag, put.body()))
                        .toString(),
                containsString("header ETag"));
    }

    @Test
    void anUnknownRouteMustStillAnswerAProblem() {
        Res unknown = http.get("/api/nothing-here");
        assertThat(unknown.status(), is(404));
        assertThat(violations(DOCUMENT, "GET", "/api/nothing-here", unknown), is(empty()));
        byte[] notAProblem = "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(
                violations(DOCUMENT, "GET", "/api/nothing-here", with(unknown, 404, unknown.headers(), notAProblem)),
                is(not(empty())));
        assertThat(
                violations(DOCUMENT, "GET", "/api/nothing-here", with(unknown, 200, unknown.headers(), unknown.body())),
                is(not(empty())));
        Res wrongMethod = http.send("POST", "/api/apps/config", "{}", "Content-Type", JSON);
        assertThat(wrongMethod.status(), is(405));
        assertThat(violations(DOCUMENT, "POST", "/api/apps/config", wrongMethod), is(empty()));
    }

    private static List<String> violations(ApiContract contract, String method, String path, Res res) {
        return contract.violations(method, path, res.status(), res.headers(), res.body());
    }

    private static Res with(Res res, int status, HttpHeaders headers, byte[] body) {
        return new Res(res.request(), status, headers, body);
    }

    /** {@code headers} with {@code name} set to {@code value} (removed when null). */
    private static HttpHeaders replace(HttpHeaders headers, String name, String value) {
        Map<String, List<String>> map = new HashMap<>(headers.map());
        map.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        if (value != null) {
            map.put(name, List.of(value));
        }
        return HttpHeaders.of(map, (a, b) -> true);
    }
}
