package dev.odooops.flows;

import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.Report;
import dev.odooops.model.SnapshotRequest;
import dev.odooops.OpsRuntime;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Dolibarr project's pull-request environment (support.DolibarrShape): Dolibarr rewrites a document in place under
 * its name, so the PR environment's documents are copies of the template's, never hard links (an Odoo PR environment's
 * attachments are links: PrEnvironmentTest). And --from staging is refused: the neutralisation knows Odoo only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrEnvDolibarrTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private Path prData;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.createDolibarr("prdoli").withLocalStore().withOperatorActions("backup, restore, copy, pr-env");
        prData = env.root.resolve("prdata");
        env.withProjectYaml("""
                pr_environments:
                  app: dolibarr
                  database: {host: 127.0.0.1, port: 5432, user: %s, password: "${secret:db_password}"}
                  filestore: %s/documents/%s_pr_{pr}
                  filestore_layout: custom
                  dolibarr_conf: %s/conf-{pr}.php
                  env_dir: %s/env
                  expire_user: operator
                """.formatted(env.database + "_owner", prData, env.project.replace('-', '_'), prData, prData));
        runtime = env.runtime();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
                for (String db : List.of(env.project.replace('-', '_') + "_pr_7", env.project.replace('-', '_') + "_pr_template")) {
                    c.createStatement().execute("drop database if exists \"" + db + "\" with (force)");
                }
            }
            env.close();
        }
    }

    private static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(f).toString(), Checksums.sha1(f));
        }
        return out;
    }

    @Test
    void should_copy_a_dolibarr_pr_environments_documents_instead_of_linking_them() throws Exception {
        BackupResult b = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                null, null, "operator", "test"));
        assertEquals("success", b.status(), b.error());
        Report snap = runtime.operations().runQueued(new SnapshotRequest(env.project, "prod", true, null, "operator", "test"), null);
        assertEquals("success", snap.body().get("status"), String.valueOf(snap.body()));

        TestEnvironment.CliResult made = env.cli("pr-env", "create", "--project", env.project, "--pr", "7", "--user", "operator");
        assertEquals(0, made.exit(), made.stdout() + made.stderr());
        Map<String, Object> report = Json.readMap(made.stdout());
        @SuppressWarnings("unchecked")
        Map<String, Object> filestore = (Map<String, Object>) ((Map<String, Object>) report.get("steps")).get("filestore");
        assertEquals(true, filestore.get("copied"), made.stdout());

        Path documents = Path.of((String) report.get("filestore"));
        Path template = documents.getParent().resolve(env.project.replace('-', '_') + "_pr_template");
        Map<String, String> templateTree = tree(template);
        assertFalse(templateTree.isEmpty());
        assertEquals(templateTree, tree(documents), "the PR environment holds the template's documents");
        try (Stream<Path> s = Files.walk(documents)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                assertEquals(1, (int) Files.getAttribute(f, "unix:nlink"), f + " is a hard link");
            }
        }
        // Dolibarr regenerates a document in place: the template (and so the next PR environment) keeps its own
        String pdf = templateTree.keySet().stream().filter(k -> k.endsWith(".pdf")).findFirst().orElseThrow();
        Files.writeString(documents.resolve(pdf), "regenerated by the PR's Dolibarr");
        assertEquals(templateTree, tree(template), "the template's documents are untouched");

        // --from staging: refused naming from (the neutralisation is Odoo's)
        TestEnvironment.CliResult staging = env.cli("pr-env", "create", "--project", env.project, "--pr", "8",
                "--from", "staging", "--user", "operator");
        assertEquals(2, staging.exit(), staging.stdout() + staging.stderr());
        assertTrue(staging.stderr().contains("from") && staging.stderr().contains("dolibarr"), staging.stderr());

        TestEnvironment.CliResult gone = env.cli("pr-env", "delete", "--project", env.project, "--pr", "7", "--user", "operator");
        assertEquals(0, gone.exit(), gone.stdout() + gone.stderr());
        assertFalse(Files.exists(documents));
    }
}
