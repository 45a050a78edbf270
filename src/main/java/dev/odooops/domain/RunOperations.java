package dev.odooops.domain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which queued operations a {@code serve} instance runs ({@code service.run-operations}, issue 16): {@code *} (every
 * one, the default), a comma list of operation names ({@code drill}: a drill host), or {@code *} with exclusions
 * ({@code *,-drill}: production hosts that leave drills to the drill host). An instance still accepts every request
 * on its channels; one it does not run stays queued in the catalog for an instance that runs it.
 */
public final class RunOperations {
    public static final RunOperations ALL = new RunOperations(true, Set.of(), Set.of(), "*");

    private final boolean all;
    private final Set<String> only;
    private final Set<String> except;
    private final String text;

    private RunOperations(boolean all, Set<String> only, Set<String> except, String text) {
        this.all = all;
        this.only = only;
        this.except = except;
        this.text = text;
    }

    /**
     * Reads the setting; blank means {@code *}. Throws {@link IllegalArgumentException} saying what is wrong: an entry
     * that is not an operation name, an exclusion without {@code *}, a list that runs nothing.
     */
    public static RunOperations parse(String value) {
        if (value == null || value.isBlank()) return ALL;
        boolean all = false;
        Set<String> only = new LinkedHashSet<>();
        Set<String> except = new LinkedHashSet<>();
        List<String> entries = new ArrayList<>();
        for (String raw : value.split(",", -1)) {
            String e = raw.trim();
            if (e.isEmpty()) throw new IllegalArgumentException("an empty entry in '" + value + "'");
            entries.add(e);
            if (e.equals("*")) {
                all = true;
            } else if (e.startsWith("-")) {
                except.add(name(e.substring(1), value));
            } else {
                only.add(name(e, value));
            }
        }
        if (!except.isEmpty() && !all) {
            throw new IllegalArgumentException("an exclusion (-name) needs '*' before it, as in '*,-drill'; got '" + value + "'");
        }
        if (all && !only.isEmpty()) {
            throw new IllegalArgumentException("'*' already runs " + String.join(", ", only) + "; got '" + value + "'");
        }
        for (String o : only) {
            if (except.contains(o)) throw new IllegalArgumentException(o + " is both run and excluded in '" + value + "'");
        }
        return new RunOperations(all, Set.copyOf(only), Set.copyOf(except), String.join(",", entries));
    }

    private static String name(String e, String value) {
        if (!e.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("'" + e + "' is not an operation name (such as backup, restore, drill) in '" + value + "'");
        }
        return e;
    }

    /** Whether this instance runs {@code operation}. */
    public boolean runs(String operation) {
        return all ? !except.contains(operation) : only.contains(operation);
    }

    /** Whether it runs every operation (the default). */
    public boolean everything() {
        return all && except.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }
}
