/**
 * The vocabulary of the API: what a request says and what an answer looks like, read and written in one
 * place each. {@code QueryParams} reads every query parameter the same way (at most once; a switch, true
 * or false, a limit, a wait, a name or cursor), which {@code ListQuery} and {@code ChangesQuery} gather per
 * route; {@code EntityTags} reads the conditional headers, {@code Expiry} a time to live and the expiry
 * headers, {@code HttpDate} writes HTTP-dates; {@code Bodies} a body's media type and bytes, {@code TxnBody} a transaction, {@code Patches} a
 * patch; {@code PercentDecoder} decodes names strictly; {@code Documents} writes and reads the app document
 * and the change object (from the stored bytes), {@code ImportFormats} parses what an import takes.
 *
 * <p>It knows the store's values and commands, and nothing of the services that use it.
 */
package io.microstore.api.wire;
