package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Odoo is down only for the swap (issue 16, 2): the new database loads beside the live one while the environment
 * still serves, and the run reports its downtime (quiesce to maintenance lifted) with its parts, in the result, the
 * evidence, the run's metadata and the metric's figures.
 */
class RestoreDowntimeTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private OdooStandIn odoo;
    private OpsRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        fx = FlowFixture.standIn("downtime");
        env = fx.env;
        odoo = fx.odoo;
        runtime = fx.runtime();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (fx != null) fx.close();
    }

    /** What the environment looks like from outside at one point of the run. */
    private Map<String, Object> observe(String at) throws Exception {
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("at", at);
        seen.put("running", odoo.running());
        seen.put("maintenance", odoo.inMaintenance());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from res_partner")) {
            rs.next();
            seen.put("live_partners", rs.getLong(1));
        }
        seen.put("side_databases", TestEnvironment.ops("select datname from pg_database where datname like ?",
                env.database + "\\_\\_restore\\_%").size());
        return seen;
    }

    @Test
    void should_keep_the_environment_serving_while_the_new_database_loads_and_report_the_downtime() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        assertEquals("success", b.status(), b.error());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("update res_partner set name = 'changed after the backup' where id < 10");
        }
        List<Map<String, Object>> seen = new ArrayList<>();
        // right before pg_restore runs into the new database, and right after it (before its row counts)
        AdviceWith.adviceWith(runtime.camelContext(), "restore-run", a -> {
            a.weaveById("restore-database").before().process(e -> seen.add(observe("before pg_restore")));
            a.weaveById("check-row-counts").before().process(e -> seen.add(observe("after pg_restore")));
            a.weaveById("swap-database").before().process(e -> seen.add(observe("before the swap")));
        });

        RestoreResult r = fx.restore(b.artifactId(), BackupType.FULL, RestoreRequest.Mode.AUTO);

        assertEquals("success", r.status(), r.error());
        assertEquals(3, seen.size(), seen.toString());
        for (Map<String, Object> s : seen.subList(0, 2)) {
            assertEquals(true, s.get("running"), "Odoo serves while the new database loads: " + s);
            assertEquals(false, s.get("maintenance"), "not in maintenance while the new database loads: " + s);
            assertTrue((Long) s.get("live_partners") > 0, "the live database answers: " + s);
            assertEquals(1, s.get("side_databases"), "the new database is loaded beside the live one: " + s);
        }
        assertEquals(false, seen.get(2).get("running"), "quiesce stopped Odoo before the swap: " + seen.get(2));
        assertEquals(true, seen.get(2).get("maintenance"), seen.get(2).toString());
        assertFalse(odoo.inMaintenance());
        assertTrue(odoo.running());
        // the mandated order of the steps that change the environment: the safety backup verified before quiesce
        List<String> steps = TestEnvironment.ops("select step from ops.run_events where run_id = ?::uuid and event_type = 'step_completed' "
                + "order by id", r.runId()).stream().map(m -> (String) m.get("step")).toList();
        assertTrue(steps.indexOf("restore-database") < steps.indexOf("verify-pre-restore-backup")
                && steps.indexOf("verify-pre-restore-backup") < steps.indexOf("quiesce-odoo")
                && steps.indexOf("quiesce-odoo") < steps.indexOf("swap-database"), steps.toString());

        // the result
        assertNotNull(r.downtimeMs(), "downtime_ms is reported");
        long downtime = r.downtimeMs();
        assertTrue(downtime > 0, "downtime_ms " + downtime);
        long parts = r.downtime().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(parts <= downtime, "the parts " + r.downtime() + " sum to at most " + downtime);
        assertTrue(r.downtime().keySet().containsAll(List.of("quiesce_ms", "swap_database_ms", "swap_filestore_ms",
                "restart_ms", "validate_ms", "finalize_ms")), r.downtime().toString());
        // the evidence
        Map<String, Object> evidence = Json.readMap(Path.of(r.evidenceDir(), "downtime.json"));
        assertEquals(downtime, ((Number) evidence.get("downtime_ms")).longValue());
        long total = ((Number) evidence.get("run_duration_ms")).longValue();
        assertTrue(downtime < total, "the downtime " + downtime + " ms is shorter than the run " + total + " ms");
        Map<String, Object> fin = Json.readMap(Path.of(r.evidenceDir(), "final_status.json"));
        assertEquals(downtime, ((Number) fin.get("downtime_ms")).longValue(), fin.toString());
        assertTrue(downtime < ((Number) fin.get("duration_ms")).longValue(), fin.toString());
        // the run's metadata and the metric's figure
        Map<String, Object> row = TestEnvironment.ops("select (metadata->>'downtime_ms')::bigint as d from ops.runs where run_id = ?::uuid",
                r.runId()).get(0);
        assertEquals(downtime, ((Number) row.get("d")).longValue());
        Double seconds = runtime.catalog().metrics().figures().restoreDowntime().get(env.environmentId());
        assertNotNull(seconds, "odoo_ops_restore_downtime_seconds has a value for " + env.environmentId());
        assertEquals(downtime / 1000.0, seconds, 0.0005);
    }
}
