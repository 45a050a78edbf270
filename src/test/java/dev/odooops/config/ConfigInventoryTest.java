package dev.odooops.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config inventory through the command line, on a configuration whose variables are not all set (and never printed). */
@Tag("fast")
class ConfigInventoryTest {
    private static final String VALUE = "the-value-that-must-never-show-9f2e";

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Run cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", dir.resolve("config").toString()));
        int code = dev.odooops.App.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env::get);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void configure() throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("application.properties"), String.join("\n",
                "ops.db.password-env=OPS_DB_PASS", "ops.tool-env=PGSSLROOTCERT",
                "camel.component.platform-http.example={{env:HTTP_EXTRA:none}}", "http.extra={{env:HTTP_REQUIRED}}", ""));
        Files.writeString(config.resolve("environments.yaml"), """
                store:
                  type: s3
                  s3: {bucket: b, access_key_id: "${env:S3_KEY}", secret_access_key: "${secret:s3_secret}"}
                users:
                  - {name: operator, api_token: "${secret:operator_token}", permissions: [{project: "*", actions: [backup]}]}
                projects:
                  - name: acme
                    environments:
                      - name: prod
                        type: production
                        database: {name: acme, user: acme, password: "${env:ACME_PROD_DB}"}
                        filestore: /srv/odoo/filestore/acme
                        odoo_conf: /etc/odoo/acme.conf
                      - name: staging
                        type: staging
                        database: {name: acme_staging, user: acme, password: "${env:ACME_STAGING_DB}"}
                        filestore: /srv/odoo/filestore/acme_staging
                        odoo_conf: /etc/odoo/acme-staging.conf
                        neutralization: {admin_password: "${secret:staging_admin}"}
                  - name: beta
                    environments:
                      - name: prod
                        type: production
                        database: {name: beta, user: beta, password: "${env:BETA_DB}"}
                        filestore: /srv/odoo/filestore/beta
                        odoo_conf: /etc/odoo/beta.conf
                """);
        Files.writeString(config.resolve("secrets.properties"), "s3_secret=" + VALUE + "\n");
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_list_every_reference_per_environment_marked_required_and_set_without_a_value() throws Exception {
        configure();
        Run r = cli(Map.of("ACME_PROD_DB", VALUE, "PATH", "/usr/bin"), "config", "inventory");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains(VALUE), "never a value");
        Map<String, Object> report = new ObjectMapper().readValue(r.out(), Map.class);
        Map<String, List<String>> per = (Map<String, List<String>>) report.get("per_environment");
        assertEquals(List.of("acme/prod", "acme/staging", "beta/prod"), List.copyOf(per.keySet()));
        assertTrue(per.get("acme/prod").containsAll(List.of("env:ACME_PROD_DB", "env:S3_KEY", "secret:s3_secret",
                "secret:operator_token", "env:OPS_DB_PASS")), per.toString());
        assertFalse(per.get("acme/prod").contains("env:ACME_STAGING_DB"), per.toString());
        assertTrue(per.get("acme/staging").contains("secret:staging_admin"), "the staging sections' references too");
        List<Map<String, Object>> refs = (List<Map<String, Object>>) report.get("references");
        Map<String, Object> prodDb = refs.stream().filter(m -> m.get("name").equals("ACME_PROD_DB")).findFirst().orElseThrow();
        assertEquals(true, prodDb.get("required"));
        assertEquals(true, prodDb.get("set"));
        assertEquals(List.of("environments.yaml: projects[0].environments[0].database.password"), prodDb.get("read_at"));
        Map<String, Object> opsDb = refs.stream().filter(m -> m.get("name").equals("OPS_DB_PASS")).findFirst().orElseThrow();
        assertEquals(false, opsDb.get("required"));
        Map<String, Object> extra = refs.stream().filter(m -> m.get("name").equals("HTTP_EXTRA")).findFirst().orElseThrow();
        assertEquals(false, extra.get("required"), "a placeholder with a default");
        assertTrue(((List<String>) report.get("missing_required")).containsAll(List.of("env:BETA_DB", "env:HTTP_REQUIRED",
                "secret:operator_token")), report.toString());
        assertFalse(((List<String>) report.get("missing_required")).contains("secret:s3_secret"));
    }

    @Test
    void should_write_an_env_template_for_one_environment_and_refuse_to_overwrite_a_file() throws Exception {
        configure();
        Path template = dir.resolve(".env.template");
        Run r = cli(Map.of("ACME_PROD_DB", VALUE), "config", "inventory", "--env", "acme/staging", "--template", template.toString());
        assertEquals(0, r.exit(), r.err());
        String text = Files.readString(template);
        assertTrue(text.contains("\nACME_STAGING_DB=\n"), text);
        assertTrue(text.contains("# required"), text);
        assertTrue(text.contains("#   read at environments.yaml: projects[0].environments[1].database.password"), text);
        assertFalse(text.contains("ACME_PROD_DB"), "only what staging reads: " + text);
        assertTrue(text.contains("#   staging_admin="), "a secret of the secrets file as a comment: " + text);
        assertFalse(text.contains(VALUE));

        Run again = cli(Map.of(), "config", "inventory", "--template", template.toString());
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("template:"), again.err());
        Run unknown = cli(Map.of(), "config", "inventory", "--env", "nowhere");
        assertEquals(2, unknown.exit());
        Run ambiguous = cli(Map.of(), "config", "inventory", "--env", "prod");
        assertEquals(2, ambiguous.exit());
        assertTrue(ambiguous.err().contains("acme/prod, beta/prod"), ambiguous.err());
    }
}
