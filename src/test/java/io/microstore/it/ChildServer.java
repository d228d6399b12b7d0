package io.microstore.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real microstore jar in a child JVM on a free loopback port: started, killed with SIGKILL or
 * stopped with SIGTERM, with everything it printed kept for assertions and failure messages.
 */
final class ChildServer implements AutoCloseable {
    /** Any host (--host 0.0.0.0 too); the tests always connect to 127.0.0.1. */
    private static final Pattern LISTENING = Pattern.compile("^microstore listening on https?://.*:(\\d+)/ ");

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Thread pump;

    private ChildServer(Process process) {
        this.process = process;
        this.pump = Thread.ofPlatform().daemon(true).start(this::pump);
    }

    /** Starts the jar with {@code args} (plus {@code --port 0}); does not wait for it. */
    static ChildServer launch(List<String> jvmOptions, String... args) throws IOException {
        return launch(Map.of(), jvmOptions, args);
    }

    /** Like {@link #launch(List, String...)}, with {@code env} added to the inherited environment. */
    static ChildServer launch(Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        // Every signal at its default, as a service manager starts a server: a test run started under nohup (or
        // as a shell's background job) would otherwise pass on ignored signals, which the JVM keeps ignored.
        return launch(List.of("env", "--default-signal"), env, jvmOptions, args);
    }

    /** Starts the jar as {@code nohup} does, with SIGHUP ignored, and waits for its start-up line. */
    static ChildServer startUnderNohup(List<String> jvmOptions, String... args) throws Exception {
        return awaitStart(launch(List.of("nohup"), Map.of(), jvmOptions, args));
    }

    private static ChildServer launch(
            List<String> launcher, Map<String, String> env, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.add("--port");
        command.add("0");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("MICROSTORE_TOKEN"); // a token only where a test sets one
        builder.environment().putAll(env);
        return new ChildServer(builder.start());
    }

    /** Starts the jar and waits for its start-up line. */
    static ChildServer start(List<String> jvmOptions, String... args) throws Exception {
        return start(Map.of(), jvmOptions, args);
    }

    /** Starts the jar with {@code env} added to the environment and waits for its start-up line. */
    static ChildServer start(Map<String, String> env, List<String> jvmOptions, String... args) throws Exception {
        return awaitStart(launch(env, jvmOptions, args));
    }

    private static ChildServer awaitStart(ChildServer server) throws Exception {
        try {
            server.awaitPort();
        } catch (RuntimeException | Error e) {
            server.close(); // a server that did not start in time is not left running
            throw e;
        }
        return server;
    }

    static Path jar() {
        return Path.of(System.getProperty("microstore.jar", "target/microstore.jar"));
    }

    int awaitPort() throws Exception {
        try {
            return port.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the server did not start; it printed:\n" + output, e);
        }
    }

    String baseUrl() throws Exception {
        return "http://127.0.0.1:" + awaitPort();
    }

    String output() {
        return output.toString();
    }

    void kill9() throws InterruptedException {
        // Through the handle: Process.destroy*() would also close our end of its output pipe.
        process.toHandle().destroyForcibly(); // SIGKILL on Linux
        process.waitFor();
        pump.join(5000);
    }

    /** SIGTERM, then the exit status. */
    int terminate() throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM
        return waitFor();
    }

    int waitFor() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            throw new IllegalStateException("the server did not exit within 60 s; it printed:\n" + output);
        }
        pump.join(5000); // everything it printed has been read
        return process.exitValue();
    }

    /** Sends {@code signal} (e.g. "HUP") to the server's process. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private void pump() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            output.append("[reading output failed: ").append(e).append("]\n");
        } finally {
            port.completeExceptionally(new IllegalStateException("the server exited"));
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
