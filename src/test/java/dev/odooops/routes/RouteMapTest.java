package dev.odooops.routes;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The route files show what a run does: each step a node with its id, in the order it runs (issue #13 B). The
 * files are only parsed (no bean, no database): a step that moves into a bean's method, or out of the order the
 * docs give (docs/architecture.md, route map), fails here.
 */
@Tag("fast")
class RouteMapTest {

    private static List<String> steps(String file, String routeId) throws Exception {
        try (ModelCamelContext context = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveResource(context, "file:routes/" + file));
            RouteDefinition route = context.getRouteDefinition(routeId);
            return route.getOutputs().stream().filter(ProcessorDefinition::hasCustomIdAssigned)
                    .map(ProcessorDefinition::getId).toList();
        }
    }

    @Test
    void should_show_the_pack_upload_as_its_own_step_before_the_artifact_upload() throws Exception {
        assertEquals(List.of("check-unchanged", "skip-if-unchanged", "resolve-bindings", "quiesce", "dump-and-archive",
                        "encrypt-packs", "upload-packs", "snapshot-config", "encrypt-artifact", "upload-artifact", "plan-retention", "finalize", "apply-retention",
                        "queue-drill", "finish"),
                steps("backup.camel.yaml", "backup-run"));
    }

    @Test
    void should_show_the_drill_s_lease_before_its_copies_and_the_keep_or_drop_hook_before_it_finishes() throws Exception {
        assertEquals(List.of("take-lease", "fetch-drill-artifact", "restore-drill-database", "unpack-drill-filestore",
                        "validate-drill", "start-odoo", "keep-or-drop", "finish-drill"),
                steps("drill.camel.yaml", "drill-run"));
    }

    @Test
    void should_show_the_safety_backup_and_each_database_restore_step_in_the_mandated_order() throws Exception {
        assertEquals(List.of("verify-artifact", "decrypt-artifact", "pre-restore-backup", "use-standby", "prepare-filestore",
                        "create-restore-database", "restore-database", "check-row-counts", "neutralize", "verify-neutralization",
                        "await-new-filestore", "fingerprint-new-copies", "await-pre-restore-backup", "verify-pre-restore-backup", "quiesce-odoo", "swap-database",
                        "restore-filestore", "standby-consumed", "compare-config", "restart-odoo", "validate",
                        "final-neutralization-check", "finalize-restore"),
                steps("restore.camel.yaml", "restore-run"));
    }

    @Test
    void should_keep_the_service_triggers_thin_in_route_files() throws Exception {
        assertEquals(List.of("inbox-submit"), steps("service/inbox.camel.yaml", "inbox"));
        assertEquals(List.of("inbox-refuse-unreadable-names"), steps("service/inbox.camel.yaml", "inbox-names"));
        assertEquals(List.of("jms-submit", "jms-refused", "jms-has-reply-to"), steps("service/jms.camel.yaml", "jms-requests"));
        assertEquals(List.of("schedule-backup"), steps("service/schedules.camel.yaml", "schedule-fired"));
        try (ModelCamelContext context = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveResource(context,
                    "file:routes/service/schedules.camel.yaml"));
            var template = context.getRouteTemplateDefinition("schedule-trigger");
            assertEquals(List.of("key", "cron", "timeZone"), template.getTemplateParameters().stream()
                    .map(org.apache.camel.model.RouteTemplateParameterDefinition::getName).toList());
            assertEquals("direct:schedule-fired", ((org.apache.camel.model.ToDefinition) template.getRoute().getOutputs()
                    .get(template.getRoute().getOutputs().size() - 1)).getUri());
        }
    }
}
