package io.microstore.store.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import io.microstore.json.CompactJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderTest {
    /** One document per rank of the total order, each {"v": ...} except the first, where v is missing. */
    private static final List<String> ASCENDING = List.of(
            "{}",
            "{\"v\": null}",
            "{\"v\": false}",
            "{\"v\": true}",
            "{\"v\": -1e400}",
            "{\"v\": -1}",
            "{\"v\": 0}",
            "{\"v\": 9007199254740992}",
            "{\"v\": 9007199254740993}",
            "{\"v\": 1e400}",
            "{\"v\": \"\"}",
            "{\"v\": \"0666\"}",
            "{\"v\": \"Z\"}",
            "{\"v\": \"a\"}",
            "{\"v\": \"\uFFFF\"}",
            "{\"v\": \"\uD83D\uDE00\"}",
            "{\"v\": []}",
            "{\"v\": [1]}",
            "{\"v\": [1, 2]}",
            "{\"v\": [2]}",
            "{\"v\": {}}",
            "{\"v\": {\"a\": 2}}",
            "{\"v\": {\"a\": 1, \"b\": 0}}",
            "{\"v\": {\"b\": 0}}");

    private static byte[] json(String s) {
        return CompactJson.compact(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> sorted(Order order, List<String> docs) {
        List<String> out = new ArrayList<>(docs);
        out.sort((a, b) -> order.comparator().compare(order.key(json(a)), order.key(json(b))));
        return out;
    }

    @Test
    void mixedTypesAtOnePathSortInTheTotalOrder() {
        List<String> shuffled = new ArrayList<>(ASCENDING);
        Collections.shuffle(shuffled, new Random(7));
        assertEquals(ASCENDING, sorted(Order.parse("/v"), shuffled));
        List<String> descending = new ArrayList<>(ASCENDING);
        Collections.reverse(descending);
        assertEquals(descending, sorted(Order.parse("-/v"), shuffled));
    }

    @Test
    void equalValuesAreTiesLeftToTheName() {
        Order order = Order.parse("/v");
        for (String[] same : new String[][] {
            {"{\"v\": 1}", "{\"v\": 1.0}"},
            {"{\"v\": 1}", "{\"v\": 1e0}"},
            {"{\"v\": 0}", "{\"v\": -0}"},
            {"{\"v\": \"\\u00e9\"}", "{\"v\": \"é\"}"},
            {"{\"v\": {\"a\": 1, \"b\": 2}}", "{\"v\": {\"b\": 2, \"a\": 1}}"},
            {"{\"x\": 1}", "{}"}
        }) {
            assertEquals(0, order.comparator().compare(order.key(json(same[0])), order.key(json(same[1]))), same[0]);
        }
    }

    @Test
    void severalKeysEachInItsDirection() {
        List<String> docs = List.of("{\"p\": 1, \"c\": 1}", "{\"p\": 1, \"c\": 2}", "{\"p\": 2, \"c\": 0}");
        assertEquals(
                List.of("{\"p\": 2, \"c\": 0}", "{\"p\": 1, \"c\": 1}", "{\"p\": 1, \"c\": 2}"),
                sorted(Order.parse("-/p,/c"), docs));
        assertEquals("-/p,/c", Order.parse("-/p,/c").canonical());
        assertEquals(
                Order.of(List.of("-/p", "/c")).canonical(),
                Order.parse("-/p,/c").canonical());
    }

    @Test
    void byName() {
        assertTrue(Order.parse(null).byNameOnly());
        assertTrue(Order.parse("").byNameOnly());
        assertTrue(Order.byName().byNameOnly());
        assertFalse(Order.parse("/a").byNameOnly());
        assertEquals(
                0,
                Order.byName()
                        .comparator()
                        .compare(Order.byName().key(json("1")), Order.byName().key(json("2"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"priority", "+/a", "/a,", ",/a", "/a,,/b", "--/a", "-", "/a~2", "/a, /b"})
    void anythingElseIsABadQuery(String order) {
        assertThrows(BadQuery.class, () -> Order.parse(order));
    }

    @Test
    void sortKeysRoundTripThroughTheirEncoding() {
        Order order = Order.parse("/v,-/w");
        for (String doc : ASCENDING) {
            SortKey key = order.key(json(doc.replace("{\"v\"", "{\"w\": [1, \"x\"], \"v\"")));
            String encoded = key.encode();
            assertTrue(encoded.matches("[A-Za-z0-9_-]+"), encoded);
            SortKey back = SortKey.decode(encoded, order);
            assertEquals(key, back, doc);
            assertEquals(0, order.comparator().compare(key, back), doc);
            assertEquals(encoded, back.encode());
        }
    }

    @Test
    void aKeyThatDoesNotFitIsABadQuery() {
        String two = Order.parse("/a,/b").key(json("{\"a\": 1}")).encode();
        assertThrows(BadQuery.class, () -> SortKey.decode(two, Order.parse("/a")));
        assertThrows(BadQuery.class, () -> SortKey.decode("not base64!", Order.parse("/a")));
        String notJson = java.util.Base64.getUrlEncoder().encodeToString("[[1]".getBytes());
        assertThrows(BadQuery.class, () -> SortKey.decode(notJson, Order.parse("/a")));
        String twoValues = java.util.Base64.getUrlEncoder().encodeToString("[[1,2]]".getBytes());
        assertThrows(BadQuery.class, () -> SortKey.decode(twoValues, Order.parse("/a")));
        String notArrays = java.util.Base64.getUrlEncoder().encodeToString("[1]".getBytes());
        assertThrows(BadQuery.class, () -> SortKey.decode(notArrays, Order.parse("/a")));
    }
}
