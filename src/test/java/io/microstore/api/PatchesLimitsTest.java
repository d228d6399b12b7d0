package io.microstore.api;

import java.nio.charset.StandardCharsets;

import io.microstore.json.CompactJson;
import io.microstore.store.Entry;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What PatchesFuzzTest found: valid JSON that JSON-P cannot read was a 500, and a patch could store data
 * nested one level deeper than PUT allows, which the next PATCH could not read (500 again).
 */
class PatchesLimitsTest {
    private static final Patches PATCHES = new Patches(1 << 20);

    private static byte[] patch(String mediaType, String current, String body) {
        return PATCHES.parse(mediaType, utf8(body)).apply("app", new Entry(utf8(current), 1));
    }

    @Test
    void numberJsonPCannotReadInThePatchIs400() {
        BadRequest e = assertThrows(BadRequest.class, () -> patch(Patches.MERGE, "{}", "{\"data\":{\"x\":1e99999999999}}"));
        assertThat(e.getMessage(), containsString("cannot represent"));
        assertThrows(BadRequest.class, () -> patch(Patches.JSON_PATCH, "{}",
                "[{\"op\":\"add\",\"path\":\"/data/x\",\"value\":1e99999999999}]"));
    }

    @Test
    void numberJsonPCannotReadInTheCurrentValueIs422() {
        // PUT stores it: RFC 8259 sets no limit on exponents.
        PatchRefused e = assertThrows(PatchRefused.class, () -> patch(Patches.MERGE, "{\"x\":1e99999999999}", "{}"));
        assertThat(e.getMessage(), containsString("replace it with PUT"));
    }

    @Test
    void patchedDataKeepsPutsDepthLimit() {
        String deepest = "[".repeat(999) + "]".repeat(999); // the deepest data a PUT takes ({"data": ...} is one more)
        byte[] ok = patch(Patches.JSON_PATCH, "[".repeat(998) + "]".repeat(998),
                "[{\"op\":\"add\",\"path\":\"/data" + "/0".repeat(998) + "\",\"value\":[]}]");
        assertThat(new String(ok, StandardCharsets.UTF_8), is(deepest));
        PatchRefused e = assertThrows(PatchRefused.class, () -> patch(Patches.JSON_PATCH, deepest,
                "[{\"op\":\"add\",\"path\":\"/data" + "/0".repeat(999) + "\",\"value\":[]}]"));
        assertThat(e.getMessage(), containsString("not storable"));
        assertThat(new String(CompactJson.member(utf8("{\"data\":" + deepest + "}"), "data"), StandardCharsets.UTF_8),
                is(deepest)); // which PUT takes
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
