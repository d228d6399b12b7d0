package io.microstore.bench;

import java.io.IOException;
import java.net.ServerSocket;

/** Prints a free loopback port, for the benchmark script's servers that cannot pick one themselves. */
public final class FreePort {
    private FreePort() {}

    public static void main(String[] args) throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            System.out.println(socket.getLocalPort());
        }
    }
}
