package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13 A17 for Odoo: an odoo.conf whose db_name or data_dir names another database or filestore than the
 * environment's is refused by a backup and by a restore, naming what differs (real PostgreSQL, the demo's odoo.conf).
 */
class OdooConfBindingTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private String conf;

    @BeforeEach
    void setUp() throws Exception {
        env = TestEnvironment.create("odooconf").withType("staging").withServerVersion("17.0");
        runtime = env.runtime();
        conf = Files.readString(env.odoo.appConf());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private BackupResult backup() {
        return runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                null, null, "operator", "test"));
    }

    private void conf(String from, String to) throws Exception {
        assertTrue(conf.contains(from), conf);
        Files.writeString(env.odoo.appConf(), conf.replace(from, to));
    }

    private long runs() throws Exception {
        return TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
    }

    @Test
    void should_refuse_a_backup_whose_odoo_conf_names_another_database_or_data_dir() throws Exception {
        long before = runs();
        conf("db_name = " + env.database, "db_name = odoo_other, odoo_third");
        RequestRejected other = assertThrows(RequestRejected.class, this::backup);
        assertEquals("odoo_conf", other.field());
        assertTrue(other.getMessage().contains("'odoo_other, odoo_third'") && other.getMessage().contains("'" + env.database + "'"),
                other.getMessage());

        String dataDir = env.odoo.filestore().getParent().getParent().toString();
        conf("data_dir = " + dataDir, "data_dir = /srv/odoo-other");
        RequestRejected wrongDir = assertThrows(RequestRejected.class, this::backup);
        assertEquals("odoo_conf", wrongDir.field());
        assertTrue(wrongDir.getMessage().contains("/srv/odoo-other/filestore/" + env.database)
                && wrongDir.getMessage().contains(env.odoo.filestore().toString()), wrongDir.getMessage());
        assertEquals(before, runs(), "a refused backup recorded a run");

        // Odoo's unset value and a list naming the environment's database describe it
        conf("db_name = " + env.database, "db_name = False");
        assertEquals("success", backup().status());
        conf("db_name = " + env.database, "db_name = odoo_other," + env.database);
        assertEquals("success", backup().status());
    }

    @Test
    void should_refuse_a_restore_into_an_environment_whose_odoo_conf_names_another_database() throws Exception {
        BackupResult b = backup();
        assertEquals("success", b.status(), b.error());
        conf("db_name = " + env.database, "db_name = odoo_other");
        long before = runs();
        RequestRejected refused = assertThrows(RequestRejected.class, () -> runtime.operations().restore(new RestoreRequest(
                env.project, "prod", b.artifactId(), BackupType.FULL, true, true, null, "operator", "test")));
        assertEquals("odoo_conf", refused.field());
        assertTrue(refused.getMessage().contains("'odoo_other'"), refused.getMessage());
        assertEquals(before, runs(), "a refused restore recorded a run");
        assertEquals(1, ops("select 1 from pg_database where datname = ?", env.database).size());
    }
}
