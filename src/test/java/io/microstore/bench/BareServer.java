package io.microstore.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.microstore.Main;
import io.microstore.Settings;
import io.microstore.local.LocalEngine;
import io.microstore.store.Store;
import io.microstore.testing.Stores;

/**
 * The ceiling for the benchmarks: Helidon SE with microstore's routes and no store at all. GET
 * answers a fixed small document, PUT reads the whole body and answers 204, the list answers a fixed
 * page of 100 names. Usage: {@code BareServer [port] [--setup | --durable DIR]} (0 = any free port);
 * prints the same start-up line as microstore. With {@code --setup} the routes sit inside microstore's
 * own server set-up ({@link Main#setup}: its limits, filters, metrics and health, over an empty
 * in-memory store the routes never use), so the bench can tell what that set-up costs a request from
 * what the store does. With {@code --durable DIR} a PUT answers only once its body is fdatasynced to a
 * file in DIR by the simplest group commit ({@link BareJournal}): the floor of a durable PUT here.
 */
public final class BareServer {
    private BareServer() {}

    public static void main(String[] args) throws IOException {
        byte[] doc = "{\"name\":\"k1\",\"data\":{\"n\":1,\"s\":\"some small value\"}}".getBytes();
        StringBuilder page = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            page.append(i == 0 ? "" : ",").append("{\"name\":\"k").append(i).append("\"}");
        }
        byte[] list = page.append(']').toString().getBytes();
        var json = HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json");
        String port = args.length > 0 ? args[0] : "0";
        String mode = args.length > 1 ? args[1] : "";
        BareJournal journal = mode.equals("--durable") ? new BareJournal(Path.of(args[2])) : null;
        Consumer<HttpRouting.Builder> routes =
                r -> r.get("/api/apps", (req, res) -> res.header(json).send(list))
                        .get("/api/apps/{+name}", (req, res) -> res.header(json).send(doc))
                        .put("/api/apps/{+name}", (req, res) -> {
                            byte[] body = req.content().as(byte[].class);
                            if (journal != null) {
                                journal.append(body);
                            }
                            res.status(Status.NO_CONTENT_204).send();
                        });
        WebServer server;
        if (mode.equals("--setup")) {
            Settings settings = Settings.from(Config.just(
                    ConfigSources.create(Map.of("server.port", port)), ConfigSources.classpath("application.yaml")));
            Store store = Store.create(
                    new LocalEngine(new io.microstore.persist.MemoryPersistence(), Stores.LOCAL),
                    settings.feed(),
                    settings.maxBytes());
            store.load();
            server = WebServer.builder()
                    .update(b -> Main.setup(b, settings, store, routes))
                    .build()
                    .start();
        } else {
            server = WebServer.builder()
                    .host("127.0.0.1")
                    .port(Integer.parseInt(port))
                    .routing(routes::accept)
                    .build()
                    .start();
        }
        System.out.println("microstore listening on http://127.0.0.1:" + server.port() + "/ (bare Helidon, no store"
                + (journal != null ? ", a group-committed file" : "") + ")");
    }
}
