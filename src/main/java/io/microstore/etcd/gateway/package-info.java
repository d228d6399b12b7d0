/**
 * A small client of etcd v3 over its JSON gateway (grpc-gateway on each member's client port), on HTTP/1.1
 * connections of its own ({@code Http1Connections}: blocking sockets, kept alive) and no other jar: {@link io.microstore.etcd.gateway.EtcdClient} is the few calls
 * the etcd engine needs, {@link io.microstore.etcd.gateway.GatewayClient} implements them. The package
 * knows etcd and nothing of microstore: no store, no engine, no HTTP API (an architecture test keeps it
 * so), so it can be read, tested and replaced on its own.
 *
 * <h2>The wire</h2>
 *
 * Every call is a {@code POST} of a JSON object: {@code /v3/kv/range|txn|compaction}, {@code /v3/watch},
 * {@code /v3/lease/grant|revoke}, {@code /v3/maintenance/status}. {@code GatewayJson} writes and reads
 * the shapes: keys and values in base64, int64s as strings ({@code "revision":"14"}), fields at their
 * default left out both ways ({@code succeeded} is absent when false, a put event has no {@code type}),
 * and a compare's {@code target} always sent (it defaults to VERSION). The value types mirror etcd's
 * protobuf messages under their own names: {@link io.microstore.etcd.gateway.KeyValue}, {@link
 * io.microstore.etcd.gateway.Compare}, {@link io.microstore.etcd.gateway.RequestOp} and {@link
 * io.microstore.etcd.gateway.ResponseOp} (a txn's branches and their answers), {@link
 * io.microstore.etcd.gateway.RangeResult}, {@link io.microstore.etcd.gateway.TxnResult}, {@link
 * io.microstore.etcd.gateway.WatchEvent}, {@link io.microstore.etcd.gateway.Lease}, {@link
 * io.microstore.etcd.gateway.MemberStatus}; {@link io.microstore.etcd.gateway.KeyRange} spells etcd's
 * {@code key}/{@code range_end} pair.
 *
 * <h2>Failures, and what they mean for a write</h2>
 *
 * Every failure is an {@link io.microstore.etcd.gateway.EtcdException}, sealed into three kinds by the
 * one question a caller must answer, "may the write have happened?":
 *
 * <ul>
 *   <li>{@link io.microstore.etcd.gateway.EtcdUnreachable}: no connection was made, nothing was sent;</li>
 *   <li>{@link io.microstore.etcd.gateway.EtcdRejected}: etcd answered with an error that applied
 *       nothing, with its gRPC code (3 invalid argument or too large, 11 compacted, 14 no leader);</li>
 *   <li>{@link io.microstore.etcd.gateway.EtcdOutcomeUnknown}: the request went out and no verdict came
 *       back (a timeout, a broken connection, etcd's own "request timed out" or "leader changed"): a
 *       write may still commit, so it is never sent again blindly.</li>
 * </ul>
 *
 * One member is used at a time. A call moves on to the next member when it certainly did not reach the
 * store (unreachable, "no leader"), and a read also on an unknown outcome; the client never resends a
 * {@code POST} by itself, so a write goes out at most once per call. Every request carries
 * {@code Grpc-Metadata-hasleader: true}, so that a member without a leader refuses at once instead of
 * proposing into the void, and a watch on it ends instead of stalling.
 *
 * <h2>Watches</h2>
 *
 * {@code POST /v3/watch} answers a chunked body of one JSON object per line, read live by {@code
 * GatewayWatch} on a platform thread of its own and handed to a {@link
 * io.microstore.etcd.gateway.WatchListener} in order. The request body is sent whole before the
 * response flows, so a watch carries exactly one create request: no progress or cancel requests; closing
 * its connection ends it. A watch from a compacted revision ends with {@code onCompacted}.
 */
package io.microstore.etcd.gateway;
