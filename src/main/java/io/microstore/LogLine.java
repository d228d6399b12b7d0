package io.microstore;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One log record, one line, exception and causes included: journald and podman logs store a line as an
 * event, so a stack trace over many lines would become many events, interleaved with other threads'.
 * The line keeps the time, level and logger of the format it replaces (logging.properties names it).
 */
public final class LogLine extends Formatter {
    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(200)
                .append(String.format("%1$tFT%1$tT.%1$tL", record.getInstant().toEpochMilli()))
                .append(' ')
                .append(record.getLevel().getName())
                .append(' ')
                .append(record.getLoggerName())
                .append(": ")
                .append(formatMessage(record));
        for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            line.append(t == record.getThrown() ? " | " : " | caused by ").append(t);
            for (StackTraceElement frame : t.getStackTrace()) {
                line.append(" at ").append(frame);
            }
        }
        // a message with line breaks of its own (a peer's error text, say) stays one event too
        return line.toString().replace("\r\n", " | ").replace('\n', ' ').replace('\r', ' ') + System.lineSeparator();
    }
}
