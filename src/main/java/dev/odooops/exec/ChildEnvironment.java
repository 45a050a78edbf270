package dev.odooops.exec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The environment a child process starts with: nothing inherited from odoo-ops (whose environment holds the
 * S3 and database secrets of {@code ${env:...}} references) except an allow-list. Every child gets
 * {@link #BASE} (search path, locale, time zone, temporary and home directory) plus what its call passes
 * (PGPASSFILE, PGSSLMODE ...). The libpq tools, tar and git also get the names of {@code ops.tool-env}; the
 * operator's Odoo commands (odoo.* actions, validate_command) the names of {@code ops.command-env}.
 * Values are read once at start and never logged.
 */
public record ChildEnvironment(Map<String, String> tools, Map<String, String> commands) {
    /** Inherited by every child when odoo-ops has them. */
    public static final List<String> BASE = List.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "TMPDIR", "HOME");
    /** The search path a child gets when odoo-ops itself has none. */
    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    public ChildEnvironment {
        tools = Collections.unmodifiableMap(new LinkedHashMap<>(tools));
        commands = Collections.unmodifiableMap(new LinkedHashMap<>(commands));
    }

    /** Only the base variables (tests, tools that need nothing else). */
    public static ChildEnvironment of(Function<String, String> env) {
        return of(env, List.of(), List.of());
    }

    public static ChildEnvironment of(Function<String, String> env, List<String> toolNames, List<String> commandNames) {
        Map<String, String> base = pick(env, BASE);
        base.putIfAbsent("PATH", DEFAULT_PATH);
        Map<String, String> tools = new LinkedHashMap<>(base);
        tools.putAll(pick(env, toolNames));
        Map<String, String> commands = new LinkedHashMap<>(base);
        commands.putAll(pick(env, commandNames));
        return new ChildEnvironment(tools, commands);
    }

    private static Map<String, String> pick(Function<String, String> env, List<String> names) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : names) {
            String value = env.apply(name);
            if (value != null) out.put(name, value);
        }
        return out;
    }

    @Override
    public String toString() {
        return "ChildEnvironment[tools=" + tools.keySet() + ", commands=" + commands.keySet() + "]";
    }
}
