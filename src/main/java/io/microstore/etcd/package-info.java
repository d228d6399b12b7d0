/**
 * The engine of cluster mode ({@link io.microstore.etcd.EtcdEngine}): the dataset lives in an etcd
 * cluster, and any number of stateless instances serve it, each from an index of its own that follows
 * etcd. It talks to etcd only through {@link io.microstore.etcd.gateway.EtcdClient} and to the store only
 * through the engine port; it knows no HTTP. This page is the one description of how the data sits in
 * etcd and of how an instance follows it; the classes point here.
 *
 * <h2>The data in etcd</h2>
 *
 * <pre>
 * &lt;prefix&gt;apps/&lt;UTF-8 name&gt;   one key per app; its value the app's compact JSON, as it is
 * &lt;prefix&gt;apps/ + 0x00          the marker: no app (names hold no control characters)
 * </pre>
 *
 * {@code AppKeys} spells the keys. etcd orders keys by bytes, which is the order of names, so a prefix
 * range lists apps in name order. A value with a deadline ({@code PUT ?ttl=}) carries it in a one-line
 * envelope before its JSON ({@code #expires <epoch millis> LF}, see {@code Values}) and its key is
 * attached to an etcd lease of its own ({@code Leases}): etcd deletes the key when the lease ends, one
 * delete revision every instance sees, also when the instance that wrote it is gone.
 *
 * <p>A seq is an etcd revision: a write's seq (and its ETag) is the revision of its txn, shared by all
 * the keys a transaction writes; an app's ETag is its key's {@code mod_revision}, which never repeats,
 * also across a delete and a re-create. Revisions are consecutive as long as only this dataset writes to
 * the cluster; other datasets (other prefixes) and the marker leave gaps the changes feed steps over.
 *
 * <h2>Starting: the apps and their history</h2>
 *
 * An instance's changes feed reaches back as far as etcd still holds the dataset's history, within the
 * feed's window, so that {@code GET /api/changes?since=0} on a young cluster, and any {@code since} etcd
 * still holds, answers the same on every instance however late it started ({@code History}):
 *
 * <ol>
 *   <li>take etcd's current revision L; start from F = max(L - keep, etcd's compact revision, 1), where
 *       keep is the revisions compaction keeps (the feed's window, {@code store.changes.retain});</li>
 *   <li>list the apps at F, a past revision etcd still holds, page by page, into the index;</li>
 *   <li>watch the prefix from F and replay every event up to L into the index and the feed's window,
 *       which then starts at F (at 0 when F is 1, etcd's empty first revision);</li>
 *   <li>etcd does not say when a watch has caught up to a revision, so the replay ends at an event it is
 *       sure to get: L itself when this dataset's keys changed at L, else a write of the marker (another
 *       dataset moved the revision on);</li>
 *   <li>load at that revision and watch on from it.</li>
 * </ol>
 *
 * A compaction that overtakes the start makes the listing or the watch refuse: the start begins again
 * from the new compact revision. When the replay keeps failing, or etcd refuses the marker (out of
 * space), the instance starts as a re-list does, at the current revision without history, and logs why.
 * The cost is etcd's: it reads a watch's history from its backend (3.4 reads all of it at once, values
 * included) and sends about 1000 revisions every 100 ms, so a full window of the default 100,000
 * revisions takes some seconds at start. The watch asks for fragments, so no message of it is much
 * larger than etcd's largest request; the store's memory quota trims the replayed window as it trims a
 * running one.
 *
 * <h2>Following etcd</h2>
 *
 * {@code Mirror} keeps the commit stream a copy of the apps: after the start, one watch of the prefix
 * ({@code WatchFeed}), each revision one batch in order. A watch that breaks is opened again from the
 * last applied revision (not the next one: the events at or below it are dropped, which works around
 * etcd 3.4's watch bugs: a delete at the compaction revision can be lost when watching from it, and a
 * requested progress notice can overtake events); one that fell behind etcd's compaction lists
 * the apps again at the current revision, without history (replaying it would take the index back in
 * time under its readers), and the feed's clients get 410. {@code AppliedRevision} is the last revision
 * this instance's index has applied.
 *
 * <p>Instances follow etcd each at its own pace, milliseconds apart: a client that wrote through one and
 * asks another for the changes after that write's seq may find it not there yet. A seq ahead of the
 * applied revision is therefore "not yet" rather than "gone" ({@code EtcdEngine.catchUp}): the instance
 * waits for it as a consistent read waits, and the feed answers 410 only for a seq beyond etcd's own
 * revision; an instance whose watch is down, or that cannot reach etcd, answers 503 with Retry-After.
 *
 * <h2>Writing</h2>
 *
 * A transaction (a single write is one of one) is one etcd txn ({@code TxnWriter}): decided against this
 * instance's index, sent with a compare per command whose outcome depends on its app's state, and decided
 * again against what etcd's failure branch returned when a compare failed, a bounded number of times. A
 * refusal (412, 404) is only given against a state etcd confirmed. {@code Writes} runs each on a virtual
 * thread of its own, at most 256 with etcd at once; more wait their turn. Writes that compare nothing and only
 * put go together as one txn while the instance's previous such txn is with etcd ({@code PutBatches}:
 * group commit, so they share a revision). A write is acknowledged only once this instance's index has applied its
 * revision (read-your-writes); a linearizable read ({@code ?consistent}) takes etcd's current revision by
 * a quorum read and waits until the index has it, writing the marker when other datasets moved the
 * revision on without an event this watch sees.
 *
 * <h2>Compaction</h2>
 *
 * {@code Compactor} compacts etcd's history to the last applied revision minus the revisions kept (the
 * changes feed's window), on demand and on a timer; with several instances each does, and "compacted
 * already" counts as done. Since it keeps the feed's window, a running instance's feed never reaches
 * below what etcd holds, and one started later reaches as far: both answer 410 below the same seq. A
 * compaction by anyone else (etcdctl, another deployment with a smaller window) can cut deeper: until
 * they restart, instances that ran through it still answer from their own window what one started
 * afterwards refuses with 410.
 */
package io.microstore.etcd;
