package io.microstore.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * The data browser's files at /ui/, as a browser needs them: each with its content type (a module
 * script must come as JavaScript, or the browser refuses to run it), revalidated on every use
 * ({@code no-cache} and an ETag, so a new jar's page never runs an old script), a policy that runs only
 * the jar's own scripts, and no token needed for the page itself (its API requests carry the key).
 */
class UiTest extends ServerTestBase {

    @Test
    void uiWithoutTheSlashRedirectsToIt() {
        Res res = http.get("/ui");
        assertThat(res.describe(), res.status() / 100, is(3));
        assertThat(res.describe(), res.header("Location"), is("/ui/"));
    }

    @Test
    void theIndexIsHtmlThatLoadsTheModuleAndIsRevalidatedOnEveryUse() {
        Res res = http.get("/ui/");
        assertStatus(res, 200);
        assertThat(res.describe(), res.header("Content-Type"), startsWith("text/html"));
        assertThat(res.describe(), res.header("Cache-Control"), is("no-cache"));
        assertThat(res.describe(), res.header("ETag"), notNullValue());
        assertThat(res.describe(), res.header("X-Content-Type-Options"), is("nosniff"));
        assertThat(res.describe(), res.header("Content-Security-Policy"), containsString("default-src 'self'"));
        assertThat(res.text(), containsString("<script type=\"module\" src=\"app.js\"></script>"));
        assertThat(res.text(), containsString("href=\"../openapi/ui\""));
    }

    @ParameterizedTest
    @CsvSource({
        "/ui/index.html, text/html",
        "/ui/app.js, text/javascript",
        "/ui/logic.js, text/javascript",
        "/ui/ui.css, text/css"
    })
    void eachFileHasItsContentTypeAndNoCache(String path, String type) {
        Res res = http.get(path);
        assertStatus(res, 200);
        assertThat(res.describe(), res.header("Content-Type"), startsWith(type));
        assertThat(res.describe(), res.header("Cache-Control"), is("no-cache"));
        assertThat(res.describe(), res.header("ETag"), notNullValue());
    }

    @Test
    void aFileTheBrowserHasIsAnswered304ByItsEtag() {
        String etag = http.get("/ui/app.js").header("ETag");
        Res res = http.get("/ui/app.js", "If-None-Match", etag);
        assertStatus(res, 304);
        assertThat(res.describe(), res.header("Cache-Control"), is("no-cache"));
    }

    /** Every module app.js imports is served: a missing one would leave the page blank. */
    @Test
    void everyModuleThePageImportsIsServed() {
        String app = http.get("/ui/app.js").text();
        Matcher m = Pattern.compile("from '\\./([^']+)'").matcher(app);
        List<String> missing = new ArrayList<>();
        int found = 0;
        while (m.find()) {
            found++;
            Res res = http.get("/ui/" + m.group(1));
            if (res.status() != 200 || !res.header("Content-Type").startsWith("text/javascript")) {
                missing.add(res.describe());
            }
        }
        assertThat("imports found in app.js", found, not(is(0)));
        assertThat(missing, empty());
    }

    @Test
    void aFileThatIsNotThereIs404ProblemJson() {
        assertProblem(http.get("/ui/nope.js"), 404);
    }

    @Test
    void nothingOutsideTheUiDirectoryIsServed() {
        for (String path :
                List.of("/ui/%2E%2E/application.yaml", "/ui/..%2Fapplication.yaml", "/ui/%2e%2e%2fapplication.yaml")) {
            Res res = http.get(path);
            assertThat(res.describe(), res.status() / 100, is(4));
            assertThat(res.describe(), res.text(), not(containsString("max-payload-size")));
        }
    }

    @Test
    void thePageNeedsNoTokenWhereTheApiDoes() {
        try (TestServer secured = startServer("security.token", "ui-test-token")) {
            TestClient client = secured.http();
            assertStatus(client.get("/api/apps"), 401);
            Res res = client.get("/ui/");
            assertStatus(res, 200);
            assertThat(res.describe(), res.header("Content-Type"), startsWith("text/html"));
        }
    }

    @Test
    void theSwaggerUiLinksToTheDataBrowser() {
        assertThat(http.get("/api/schema").text(), containsString("(/ui/)"));
    }
}
