/**
 * HTTP/1.0 clients: nginx's default upstream requests, HAProxy's default health check, {@code curl
 * --http1.0}. Helidon 4.5 parses only HTTP/1.1 request lines and answers 1.0 with 505; RFC 9112 expects a
 * server to accept 1.0 and answer it in terms a 1.0 client reads. {@code Http1Selector} takes the place
 * of Helidon's HTTP/1 selector and serves every connection with Helidon's own HTTP/1 connection, over
 * {@code Http1Context}: an HTTP/1.1 connection's bytes pass through it untouched; an HTTP/1.0 request is
 * presented to Helidon as HTTP/1.1 with {@code Connection: close} ({@code Http10Request}) and its answer
 * loses the chunked framing ({@code CloseDelimited}): the body ends where the connection does. One request
 * per 1.0 connection, as RFC 9112 lets a server choose.
 *
 * <p>Why a room of its own: it is about the bytes of a connection, not about apps or limits; it knows
 * the HTTP server and nothing else of ours.
 */
package io.microstore.api.http10;
