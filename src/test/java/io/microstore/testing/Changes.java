package io.microstore.testing;

import java.util.List;
import java.util.function.BiFunction;

import io.microstore.commit.Change;
import io.microstore.store.Op;
import io.microstore.store.feed.ChangePage;

/** A feed page's changes one by one, each with its commit's seq, as the tests compare them. */
public final class Changes {
    private Changes() {}

    /** {@code describe} of every change of {@code page}, in order. */
    public static <T> List<T> each(ChangePage page, BiFunction<Long, Change, T> describe) {
        return page.commits().stream()
                .flatMap(commit -> commit.changes().stream().map(change -> describe.apply(commit.seq(), change)))
                .toList();
    }

    /** The seq of every change: a transaction's once per change. */
    public static List<Long> seqs(ChangePage page) {
        return each(page, (seq, change) -> seq);
    }

    public static List<String> names(ChangePage page) {
        return each(page, (seq, change) -> change.name());
    }

    /** "seq op name" of every change. */
    public static List<String> lines(ChangePage page) {
        return each(page, (seq, change) -> seq + " " + Op.of(change).wireName() + " " + change.name());
    }
}
