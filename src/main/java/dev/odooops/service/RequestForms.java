package dev.odooops.service;

import dev.odooops.model.QueuedRequest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How each queued operation besides backup and restore (whose forms {@link Submission} reads) is read from a request
 * as every service channel carries it: {@code {"operation": NAME, "project": P, "environment": E, ...its fields,
 * "request_id": ...}}. One line per operation in the static block: its name, its own fields (project, environment
 * and request_id are every form's) and the reader that makes its typed request.
 */
public final class RequestForms {
    /** Reads an operation's typed request; {@code user} is the channel's principal, {@code channel} its name. */
    public interface Reader {
        QueuedRequest read(RequestFields fields, String user, String channel);
    }

    /** An operation's form: the fields it takes (besides operation, project, environment, request_id) and its reader. */
    public record Form(String operation, List<String> fields, Reader reader) {
        /** Every field a request of this operation may carry. */
        public List<String> allowed() {
            List<String> all = new ArrayList<>(List.of("operation", "project", "environment"));
            all.addAll(fields);
            all.add("request_id");
            return all;
        }
    }

    private static final Map<String, Form> FORMS = new LinkedHashMap<>();

    static {
        // one line per queued operation: register("name", List.of("its_field", ...), (f, user, channel) -> new ...Request(...));
        register("snapshot", List.of("sanitize", "artifact_id"), (f, user, channel) -> new dev.odooops.model.SnapshotRequest(
                f.string("project"), f.required("environment"), f.bool("sanitize", false), f.string("artifact_id"), user, channel));
        register("drill", List.of("artifact_id"), (f, user, channel) -> new dev.odooops.model.DrillRequest(
                f.string("project"), f.required("environment"), f.string("artifact_id"), user, channel));
        register("pr_env_create", List.of("pr", "from"), (f, u, c) -> new dev.odooops.model.PrEnvCreateRequest(f.required("project"), dev.odooops.model.PrEnvCreateRequest.number(f.values().get("pr"), f.string("environment")), f.string("from"), u, c));
        register("pr_env_delete", List.of("pr"), (f, u, c) -> new dev.odooops.model.PrEnvDeleteRequest(f.required("project"), dev.odooops.model.PrEnvCreateRequest.number(f.values().get("pr"), f.string("environment")), "pr_env_delete", u, c));
        register("pr_env_expire", List.of("pr"), (f, u, c) -> new dev.odooops.model.PrEnvDeleteRequest(f.required("project"), dev.odooops.model.PrEnvCreateRequest.number(f.values().get("pr"), f.string("environment")), "pr_env_expire", u, c));
        register(dev.odooops.model.EvidencePruneRequest.OPERATION, List.of("dry_run"), (f, user, channel) ->
                new dev.odooops.model.EvidencePruneRequest(f.string("project"), f.required("environment"), f.bool("dry_run", false), user, channel));
        register("copy", List.of("from", "artifact_id", "snapshot_id"), (f, user, channel) -> new dev.odooops.model.CopyRequest(
                f.string("project"), f.required("environment"), f.required("from"), f.string("artifact_id"), f.string("snapshot_id"), user, channel));
        register("import_zip", List.of("file", "odoo_version"), (f, user, channel) -> new dev.odooops.model.ImportZipRequest(
                f.string("project"), f.required("environment"), f.required("file"), f.string("odoo_version"), user, channel));
        register("export_zip", List.of("artifact_id", "out"), (f, user, channel) -> new dev.odooops.model.ExportZipRequest(
                f.string("project"), f.required("environment"), f.required("artifact_id"), f.required("out"), user, channel));
    }

    private RequestForms() {
    }

    static void register(String operation, List<String> fields, Reader reader) {
        FORMS.put(operation, new Form(operation, List.copyOf(fields), reader));
    }

    /** The form of {@code operation}, or null when it is not a queued operation of this list. */
    public static Form of(String operation) {
        return FORMS.get(operation);
    }

    /** The operations of this list, in registration order. */
    public static List<String> operations() {
        return Collections.unmodifiableList(new ArrayList<>(FORMS.keySet()));
    }
}
