package dev.odooops.cli;

import dev.odooops.model.RequestRejected;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options and positional arguments; unknown or repeated options are rejected by name. */
public final class CliArgs {
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    public CliArgs(List<String> args, Set<String> allowed, Set<String> flags) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!allowed.contains(name) && !flags.contains(name)) {
                throw new RequestRejected(name, "unknown option --" + name + " (allowed: --" + String.join(", --", allowed)
                        + (flags.isEmpty() ? "" : ", --" + String.join(", --", flags)) + ")");
            }
            if (options.containsKey(name)) throw new RequestRejected(name, "given twice");
            if (flags.contains(name)) {
                options.put(name, "true");
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new RequestRejected(name, "--" + name + " needs a value");
                }
                value = args.get(++i);
            }
            options.put(name, value);
        }
    }

    public String get(String name) {
        return options.get(name);
    }

    public String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    public boolean flag(String name) {
        return options.containsKey(name);
    }

    public String require(String name) {
        String v = options.get(name);
        if (v == null || v.isBlank()) throw new RequestRejected(name, "--" + name + " is required");
        return v;
    }

    public Integer integer(String name) {
        String v = options.get(name);
        if (v == null) return null;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new RequestRejected(name, "must be a whole number, got '" + v + "'");
        }
    }

    public List<String> positional() {
        return positional;
    }
}
