package dev.odooops.ops;

import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The environments file's sync into the catalog writes only when the catalog differs from the file (a view writes
 * nothing), and a difference (an environment's type, a user's permissions) is still written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("fast")
class OpsDatabaseSyncTest {
    private TestEnvironment env;
    private OpsDatabase db;
    private OpsConfig config;
    private CatalogSql sql;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("opssync");
        try (var rt = env.runtime()) {
            config = rt.config(); // creates the catalog and synchronises the environments file into it
        }
        Settings settings = Settings.load(TestEnvironment.HOME, env.configDir, System::getenv);
        db = new OpsDatabase(settings);
        sql = new CatalogSql(db.dataSource());
    }

    @AfterAll
    void cleanUp() throws Exception {
        db.close();
        env.close();
    }

    @Test
    void should_write_nothing_when_the_catalog_holds_the_file() {
        assertTrue(db.inSync(config));
        db.sync(config);
        assertTrue(db.inSync(config));
    }

    @Test
    void should_write_a_changed_type_or_permission_again() {
        String user = config.users().keySet().iterator().next();
        sql.update("delete from ops.permissions where user_name = ?", user);
        assertFalse(db.inSync(config), "a user's permissions lost");
        db.sync(config);
        assertTrue(db.inSync(config));
        sql.update("insert into ops.permissions(user_name, project, action) values (?, 'other', 'restore')", user);
        assertFalse(db.inSync(config), "a permission the file does not give");
        db.sync(config);
        assertTrue(db.inSync(config));
        assertEquals(0, sql.query("select 1 from ops.permissions where user_name = ? and project = 'other'", r -> 1, user).size());

        String id = config.environments().get(0).id();
        String type = config.environments().get(0).type();
        sql.update("update ops.environments set type = ? where id = ?", type.equals("staging") ? "development" : "staging", id);
        assertFalse(db.inSync(config), "an environment's type changed");
        db.sync(config);
        assertTrue(db.inSync(config));
        assertEquals(type, sql.first("select type from ops.environments where id = ?", r -> r.getString(1), id).orElseThrow());
    }
}
