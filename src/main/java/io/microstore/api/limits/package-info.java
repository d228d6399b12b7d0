/**
 * The flood limits: what keeps a few slow or greedy clients from taking the server from the others.
 * {@code BodyGuard}, the first filter of a request with a body, refuses one over
 * {@code server.max-payload-size}, charges it to {@code server.max-in-flight-bytes} ({@code InFlightBytes})
 * as it arrives through a {@code BodyTicket}, and discards what the handler left unread; {@code BodyReader}
 * reads a body within them, a chunked one through {@code ChunkedBody}, which decodes the framing strictly
 * from the connection's bytes ({@code ConnectionBytes}). {@code HeaderTimeout} and the body timeout are
 * {@code Deadline}s, which one watchdog thread enforces ({@code ServerHealth} is DOWN once it has ended);
 * {@code ConnectionClose} closes a connection that said so, and {@code ReceiveListeners} works around
 * Helidon calling none of several receive listeners.
 *
 * <p>Why a room of its own: these are about connections and bytes, not about apps. It knows the HTTP
 * server and nothing of the store or the services; its refusals are {@link io.helidon.http.HttpException}s,
 * and {@code BodyGuard} answers its own through the routing's error handler, which it is given.
 */
package io.microstore.api.limits;
