package io.microstore.store;

/**
 * What a committed command did: the sequence number it was given (0 when it changed nothing) and
 * the app's entry after it (null after a delete).
 */
public record Outcome(long seq, Entry entry) {}
