package io.microstore.bench;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;

/**
 * The ceiling for the benchmarks: Helidon SE with microstore's routes and no store at all. GET
 * answers a fixed small document, PUT reads the whole body and answers 204, the list answers a fixed
 * page of 100 names. Usage: {@code BareServer [port]} (0 = any free port); prints the same start-up
 * line as microstore.
 */
public final class BareServer {
    private BareServer() {
    }

    public static void main(String[] args) {
        byte[] doc = "{\"name\":\"k1\",\"data\":{\"n\":1,\"s\":\"some small value\"}}".getBytes();
        StringBuilder page = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            page.append(i == 0 ? "" : ",").append("{\"name\":\"k").append(i).append("\"}");
        }
        byte[] list = page.append(']').toString().getBytes();
        var json = HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json");
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(args.length > 0 ? Integer.parseInt(args[0]) : 0)
                .routing(r -> r
                        .get("/api/apps", (req, res) -> res.header(json).send(list))
                        .get("/api/apps/{+name}", (req, res) -> res.header(json).send(doc))
                        .put("/api/apps/{+name}", (req, res) -> {
                            req.content().as(byte[].class);
                            res.status(Status.NO_CONTENT_204).send();
                        }))
                .build()
                .start();
        System.out.println("microstore listening on http://127.0.0.1:" + server.port() + "/ (bare Helidon, no store)");
    }
}
