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
 * <h2>Following etcd</h2>
 *
 * {@code Mirror} keeps the commit stream a copy of the apps: at start a paginated listing pinned at one
 * revision, then one watch of the prefix from that revision ({@code WatchFeed}), each revision one batch
 * in order. A watch that breaks is opened again from the last applied revision (not the next one: the
 * events at or below it are dropped, which works around etcd 3.4's watch bugs, etcd-io/etcd#18089 and
 * #15220); one that fell behind etcd's compaction lists the apps again, and the feed's clients get 410.
 * {@code AppliedRevision} is the last revision this instance's index has applied.
 *
 * <h2>Writing</h2>
 *
 * A transaction (a single write is one of one) is one etcd txn ({@code TxnWriter}): decided against this
 * instance's index, sent with a compare per command whose outcome depends on its app's state, and decided
 * again against what etcd's failure branch returned when a compare failed, a bounded number of times. A
 * refusal (412, 404) is only given against a state etcd confirmed. {@code Writes} runs each on a virtual
 * thread of its own, bounded. A write is acknowledged only once this instance's index has applied its
 * revision (read-your-writes); a linearizable read ({@code ?consistent}) takes etcd's current revision by
 * a quorum read and waits until the index has it, writing the marker when other datasets moved the
 * revision on without an event this watch sees.
 *
 * <h2>Compaction</h2>
 *
 * {@code Compactor} compacts etcd's history to the last applied revision minus the revisions kept (the
 * changes feed's window), on demand and on a timer; with several instances each does, and "compacted
 * already" counts as done.
 */
package io.microstore.etcd;
