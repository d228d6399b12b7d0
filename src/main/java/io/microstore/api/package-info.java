/**
 * The HTTP API: one {@link io.helidon.webserver.http.HttpService} per resource ({@code AppsService},
 * {@code ChangesService}, {@code TxnService}, {@code TransferService}, {@code AdminService},
 * {@code SchemaService}), each a route table of short handlers (parse, call the store, send), and the one
 * place where an exception becomes an answer ({@link io.microstore.api.Problems}, which writes
 * {@link io.microstore.api.Problem}s). {@link io.microstore.api.Route} declares every path once.
 *
 * <p>The rooms beside it, each a subpackage:
 *
 * <ul>
 * <li>{@code wire}: what requests and answers say: query parameters, entity tags, expiry, bodies and
 *     media types, transaction bodies, patches, strict percent-decoding, the import formats, and the
 *     documents (the app and the change object) as they are read and written. The services parse with it;
 *     it knows nothing of them.
 * <li>{@code limits}: the flood limits in front of every request (body size, bodies in flight, header and
 *     body time limits, strict chunked framing, closing a connection that asked for it). It knows the HTTP
 *     server only: nothing of the store or the services, so a refusal is answered through the error
 *     handler {@code Main} gives it.
 * <li>{@code access}: who may call from where: CORS and the bearer token, filters that answer with the
 *     services' problems.
 * </ul>
 *
 * <p>Values go out as the bytes the store keeps, never re-serialised; pure HTTP errors are Helidon's
 * {@link io.helidon.http.HttpException}s, carrying their status and headers.
 */
package io.microstore.api;
