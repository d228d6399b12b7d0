/**
 * Threads the process cannot do without ({@link io.microstore.threads.EssentialThread}: the local writer, the
 * changes feed's dispatcher, the expirer, the HTTP deadline watchdog) and how their end is reported to
 * health. A leaf, like {@code json}: every layer may use it, it uses none of them.
 */
package io.microstore.threads;
