package dev.odooops.service;

import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupType;
import dev.odooops.model.EnvironmentRequest;
import dev.odooops.model.QueuedRequest;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request as every service channel receives it (HTTP body, JMS message, inbox file, schedule), in the command
 * line's words, and what it becomes: the operation's typed request, plus its optional {@code request_id}.
 * <pre>
 * backup:  {"project": "acme", "environment": "production", "type": "full", "label": null,
 *           "keep_daily": null, "keep_weekly": null, "keep_monthly": null, "keep_yearly": null, "force": false, "request_id": null}
 * restore: the same without label/keep_*, plus "artifact_id", "confirm", "verify" (true), "rollback" (true),
 *          "mode" (auto | force | validate_only), "odoo_version" (the target server's series, when it cannot be learned)
 * </pre>
 * Unknown fields and wrongly typed values are rejected naming the field. The user is the channel's (the bearer
 * token's on HTTP), never a field of the request.
 */
public record Submission(String operation, EnvironmentRequest request, String requestId) {
    public static final Set<String> OPERATIONS = Set.of("backup", "restore");
    private static final List<String> BACKUP_FIELDS = List.of("operation", "project", "environment", "type", "label",
            "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly", "force", "request_id");
    private static final List<String> RESTORE_FIELDS = List.of("operation", "project", "environment", "type",
            "artifact_id", "confirm", "verify", "rollback", "mode", "odoo_version", "request_id");

    /** The request of {@code operation} read from {@code fields}; {@code channel} is recorded as the trigger. */
    public static Submission of(String operation, Map<String, Object> fields, String user, String channel) {
        try {
            return read(operation, fields, user, channel);
        } catch (RequestRejected r) {
            throw inRequestTerms(r, "environment");
        }
    }

    /**
     * A refusal of the shared request classes (which speak the command line's words: {@code keep-daily}, {@code env},
     * {@code --project}) in the words of a request's fields ({@code keep_daily}, {@code envField}, {@code project}).
     */
    public static RequestRejected inRequestTerms(RequestRejected r, String envField) {
        String prefix = r.field() + ": ";
        String text = r.getMessage().startsWith(prefix) ? r.getMessage().substring(prefix.length()) : r.getMessage();
        java.util.regex.Matcher m = OPTION.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(fieldOf(m.group(1), envField)));
        m.appendTail(out);
        String field = CLI_FIELDS.contains(r.field()) ? fieldOf(r.field(), envField) : r.field();
        if (field.equals(r.field()) && out.toString().equals(text)) return r;
        return new RequestRejected(field, out.toString(), r.reason());
    }

    private static final java.util.regex.Pattern OPTION = java.util.regex.Pattern.compile("(?<![\\w-])--([a-z][a-z-]*)");

    /** The fields the shared request classes name as the command line does. */
    private static final Set<String> CLI_FIELDS = Set.of("env", "artifact", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly");

    private static String fieldOf(String option, String envField) {
        return switch (option) {
            case "env" -> envField;
            case "artifact" -> "artifact_id";
            default -> option.replace('-', '_');
        };
    }

    private static Submission read(String operation, Map<String, Object> fields, String user, String channel) {
        RequestForms.Form form = operation == null ? null : RequestForms.of(operation);
        if (operation == null || (!OPERATIONS.contains(operation) && form == null)) {
            throw new RequestRejected("operation", "expected one of " + String.join("|", operations()) + ", got '" + operation + "'");
        }
        RequestFields f = new RequestFields(fields, form != null ? form.allowed() : operation.equals("backup") ? BACKUP_FIELDS : RESTORE_FIELDS);
        String requestId = f.string("request_id");
        if (requestId != null && !requestId.matches("[A-Za-z0-9._:-]{1,128}")) {
            throw new RequestRejected("request_id", "expected 1-128 letters, digits or ._:-, got '" + requestId + "'");
        }
        if (form != null) return new Submission(operation, form.reader().read(f, user, channel), requestId);
        if (form != null) return new Submission(operation, form.reader().read(f, user, channel), requestId);
        BackupType type = BackupType.parse("type", f.string("type") == null ? "full" : f.string("type"));
        EnvironmentRequest request = switch (operation) {
            case "backup" -> BackupRequest.of(f.string("project"), f.required("environment"), type, f.string("label"),
                    f.integer("keep_daily"), f.integer("keep_weekly"), f.integer("keep_monthly"), user, channel)
                    .forced(f.bool("force", false)).keepingYearly(f.integer("keep_yearly"));
            default -> new RestoreRequest(f.string("project"), f.required("environment"), f.required("artifact_id"), type,
                    f.bool("verify", true), f.bool("rollback", true), f.string("confirm"), user, channel, mode(f.string("mode")),
                    f.string("odoo_version"));
        };
        return new Submission(operation, request, requestId);
    }

    /** {@code operation} and {@code user} (default {@code defaultUser}) are fields of the request. */
    private static Submission ofMessage(Map<String, Object> fields, String defaultUser, String channel, String defaultRequestId) {
        Map<String, Object> f = new LinkedHashMap<>(fields);
        Object op = f.remove("operation");
        Object user = f.remove("user");
        if (user != null && !(user instanceof String)) throw new RequestRejected("user", "expected a string, got " + user);
        if (!f.containsKey("request_id") && defaultRequestId != null) f.put("request_id", defaultRequestId);
        return of(op instanceof String o ? o : null, f, user == null ? defaultUser : (String) user, channel);
    }

    /**
     * A request as an inbox file or a JMS message carries it, run as the channel's authenticated {@code principal}
     * (the JMS connection's user, the inbox's {@code inbox.user}): a {@code user} field may repeat that user and
     * is refused when it names anyone else; {@code defaultRequestId} applies when it gives no request_id.
     */
    public static Submission asPrincipal(Map<String, Object> fields, String principal, String channel, String defaultRequestId) {
        Object user = fields.get("user");
        if (user != null && !principal.equals(user)) {
            throw new RequestRejected("user", "this " + channel + " request runs as '" + principal + "' (the user the "
                    + channel + " authenticated), not as '" + user + "': leave user out or name that user",
                    RequestRejected.Reason.FORBIDDEN);
        }
        return ofMessage(fields, principal, channel, defaultRequestId);
    }

    /**
     * The JSON (or YAML) object of a request body, message or file; a refusal names {@code field}. A key given twice
     * is refused naming that key (a parser keeping the last one would let two readers see two requests).
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(byte[] content, boolean yaml, String field) {
        if (content == null || content.length == 0) throw new RequestRejected(field, "expected a JSON object, got nothing");
        try {
            Object v = (yaml ? YAML : JSON).readValue(content);
            if (!(v instanceof Map<?, ?> m)) throw new RequestRejected(field, "expected an object with the request's fields");
            return new LinkedHashMap<>((Map<String, Object>) m);
        } catch (java.io.IOException e) {
            String msg = e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse("unreadable");
            java.util.regex.Matcher dup = DUPLICATE.matcher(msg);
            if (dup.find()) throw new RequestRejected(dup.group(1), "given twice; give each field once");
            throw new RequestRejected(field, "not valid " + (yaml ? "YAML" : "JSON") + ": " + msg);
        }
    }

    /** Jackson's words for a key given twice (JsonParser.Feature.STRICT_DUPLICATE_DETECTION). */
    private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile("^Duplicate field '(.*)'");
    private static final com.fasterxml.jackson.databind.ObjectReader JSON = dev.odooops.domain.Json.MAPPER
            .readerFor(Object.class).with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    private static final com.fasterxml.jackson.databind.ObjectReader YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readerFor(Object.class).with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private static RestoreRequest.Mode mode(String value) {
        if (value == null) return RestoreRequest.Mode.AUTO;
        for (RestoreRequest.Mode m : RestoreRequest.Mode.values()) if (m.wire().equals(value)) return m;
        throw new RequestRejected("mode", "expected one of auto|force|validate_only, got '" + value + "'");
    }

    /** The request's fields as the JSON a pick-up after a restart reads back. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operation", operation);
        m.put("project", request.project());
        m.put("environment", request.environment());
        if (request instanceof BackupRequest b) {
            m.put("type", b.type().wire());
            m.put("label", b.label());
            m.put("keep_daily", b.keepDaily());
            m.put("keep_weekly", b.keepWeekly());
            m.put("keep_monthly", b.keepMonthly());
            m.put("keep_yearly", b.keepYearly());
            m.put("force", b.force());
        } else if (request instanceof RestoreRequest r) {
            m.put("type", r.type().wire());
            m.put("artifact_id", r.artifactId());
            m.put("confirm", r.confirm());
            m.put("verify", r.verify());
            m.put("rollback", r.rollback());
            m.put("mode", r.mode().wire());
            if (r.odooVersion() != null) m.put("odoo_version", r.odooVersion());
        } else if (request instanceof QueuedRequest q) {
            m.putAll(q.fields());
        }
        m.put("request_id", requestId);
        return m;
    }

    public String user() {
        return ((dev.odooops.model.AuthenticatedRequest) request).user();
    }

    /** The channel the request came by: the run's trigger. */
    public String channel() {
        if (request instanceof BackupRequest b) return b.trigger();
        if (request instanceof RestoreRequest r) return r.trigger();
        return ((QueuedRequest) request).trigger();
    }

    /** The fields a request of {@code operation} (backup, restore or one of {@link RequestForms}) may carry. */
    public static List<String> fields(String operation) {
        RequestForms.Form form = RequestForms.of(operation);
        if (form != null) return form.allowed();
        if (operation.equals("backup")) return BACKUP_FIELDS;
        if (operation.equals("restore")) return RESTORE_FIELDS;
        throw new IllegalArgumentException("no such operation: " + operation);
    }

    /** Every operation a channel may queue: backup, restore and those of {@link RequestForms}. */
    public static List<String> operations() {
        List<String> all = new java.util.ArrayList<>(List.of("backup", "restore"));
        all.addAll(RequestForms.operations());
        return all;
    }
}
