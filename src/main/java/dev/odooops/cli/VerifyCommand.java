package dev.odooops.cli;

import dev.odooops.OpsRuntime;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.Json;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.RequestRejected;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactVerifier;

import java.io.PrintStream;
import java.util.Map;

/** {@code verify-artifact ID}: re-reads the stored files and prints the report; exit 0 when all is well. */
public final class VerifyCommand {
    private final OpsRuntime runtime;
    private final PrintStream out;

    public VerifyCommand(OpsRuntime runtime, PrintStream out) {
        this.runtime = runtime;
        this.out = out;
    }

    public int run(String id) throws Exception {
        OpsCatalog.Artifact artifact = runtime.catalog().artifact(id)
                .orElseThrow(() -> new RequestRejected("ID", "no artifact '" + id + "' in the ops catalog"));
        if (artifact.prunedAt() != null) {
            throw new RequestRejected("ID", "artifact '" + id + "' was pruned at " + artifact.prunedAt());
        }
        EnvironmentConfig env = runtime.config().environments().stream()
                .filter(e -> e.id().equals(artifact.environmentId())).findFirst()
                .orElseThrow(() -> new RequestRejected("ID", "artifact '" + id + "' belongs to " + artifact.environmentId()
                        + ", which is not in the environments file"));
        ToolRunner tools = runtime.camelContext().getRegistry().lookupByNameAndType("toolRunner", ToolRunner.class);
        Map<String, Object> report = new ArtifactVerifier(runtime.store(), tools,
                runtime.settings().workDir().resolve("verify")).verify(artifact, env.project(), env.name());
        out.println(Json.pretty(report));
        return Boolean.TRUE.equals(report.get("ok")) ? Commands.OK : Commands.FAILED;
    }
}
