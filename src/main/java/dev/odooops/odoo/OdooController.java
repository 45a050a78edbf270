package dev.odooops.odoo;

import dev.odooops.config.OdooControl;
import dev.odooops.exec.ToolRunner;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Performs an Odoo control action (quiesce, resume, stop, start): a command through camel-exec, or an HTTP
 * call; both bounded by a time-out. A 2xx answer or exit code 0 is success; anything else throws.
 */
public class OdooController {
    private final ToolRunner tools;
    /** Made on the first HTTP action: building one (its TLS context) costs a command that never calls Odoo a tenth of a second. */
    private HttpClient http;

    public OdooController(ToolRunner tools) {
        this.tools = tools;
    }

    private synchronized HttpClient http() {
        if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http;
    }

    public void perform(OdooControl.Action action, Duration timeout) throws IOException, InterruptedException {
        if (action.isCommand()) {
            tools.runCommand(action.command(), timeout);
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(action.httpUrl()).timeout(timeout)
                .method(action.httpMethod(), HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Void> response = http().send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(action.describe() + " answered HTTP " + response.statusCode());
        }
    }
}
