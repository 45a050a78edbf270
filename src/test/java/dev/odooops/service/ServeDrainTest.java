package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue #13 A7: once serve's drain began (SIGTERM: the queue stopped accepting), every HTTP request that starts work
 * answers 503 naming the field service, the short operations a request runs itself (verify, pin, unpin, schedule
 * pause and resume, accept and discard) as well as the queued ones (backups, restores); reads still answer. The
 * drain's first half is driven directly (OpsRuntime.drain would also wait for the runs): ServeShutdownTest covers the
 * signal itself.
 */
class ServeDrainTest {
    @Test
    void should_answer_503_to_every_request_that_starts_work_during_the_drain_and_still_answer_reads() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("drain").withType("staging");
             OpsRuntime rt = env.serviceRuntime()) {
            BackupResult b = rt.operations().backup(BackupRequest.of(null, "prod", BackupType.DB_ONLY, null, null, null, null,
                    "operator", "test"));
            assertEquals("success", b.status(), b.error());
            String id = env.environmentId();

            rt.runQueue().stopAccepting(); // what SIGTERM starts with (OpsRuntime.drain)

            HttpClient http = HttpClient.newHttpClient();
            record Call(String path, String body) {
            }
            for (Call c : List.of(new Call("/artifacts/" + b.artifactId() + "/verify", null),
                    new Call("/artifacts/" + b.artifactId() + "/pin", "{\"reason\": \"audit\"}"),
                    new Call("/artifacts/" + b.artifactId() + "/unpin", null),
                    new Call("/schedules/" + env.project + ".prod.nightly/pause", null),
                    new Call("/schedules/" + env.project + ".prod.nightly/resume", null),
                    new Call("/runs/" + b.runId() + "/accept", null),
                    new Call("/runs/" + b.runId() + "/discard", null),
                    new Call("/backups", "{\"environment\": \"" + id + "\"}"),
                    new Call("/restores", "{\"environment\": \"" + id + "\", \"artifact_id\": \"" + b.artifactId()
                            + "\", \"type\": \"db_only\"}"))) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(env.apiUrl() + c.path()))
                        .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN).header("Content-Type", "application/json")
                        .POST(c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c.body()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), c.path() + " -> " + r.body());
                assertEquals("service", Json.readMap(r.body()).get("field"), c.path());
            }
            for (String read : List.of("/runs?env=" + id, "/runs/" + b.runId(), "/artifacts?env=" + id)) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(env.apiUrl() + read))
                        .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), read + " -> " + r.body());
            }
            assertEquals(false, TestEnvironment.ops("select pinned from ops.artifacts where id = ?", b.artifactId()).get(0).get("pinned"));
            assertEquals(1, TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", id).size(), "no run started");
        }
    }
}
