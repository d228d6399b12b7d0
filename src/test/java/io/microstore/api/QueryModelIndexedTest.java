package io.microstore.api;

import java.util.List;

/**
 * {@link QueryModelTest} with secondary indexes declared before the run, on pointers its selectors and orders
 * use (one on an array, one of two paths): the planner may answer through them, and every answer must still equal
 * the model. The same properties, the same seed rule.
 */
class QueryModelIndexedTest extends QueryModelTest {
    @Override
    protected List<List<String>> indexes() {
        return List.of(List.of("/n"), List.of("/s", "/o/k"), List.of("/arr"), List.of("/o"), List.of("/~1"));
    }
}
