package dev.odooops.cli;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.DriftRequest;
import dev.odooops.model.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The command line of issue 14 sections 4 and 7: {@code check-drift}, {@code config inventory}, {@code evidence prune}.
 * Each turns its options into the operation's typed request and prints the result (stdout), like {@link Commands}.
 */
final class DriftCli {
    private DriftCli() {
    }

    @Command(name = "check-drift", mixinStandardHelpOptions = true,
            description = "The environments of a project side by side (Odoo series, addons paths in order, installed modules, "
                    + "addons commits); exit 1 with one line per divergence that matters (a module of production missing, "
                    + "another addons path order or series, a copy not neutralised, a production without an outgoing mail "
                    + "server or marked neutralised).")
    static final class CheckDrift extends Cli.RuntimeCommand {
        @Option(names = "--project", paramLabel = "P", required = true, description = "the project")
        String project;

        @Option(names = "--json", description = "print the report as JSON (default: a table and one line per divergence)")
        boolean json;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            Report report = rt.operations().checkDrift(new DriftRequest(project, user(rt)));
            PrintStream out = cli().out();
            if (json) out.println(Json.pretty(report.body()));
            else printDrift(report.body(), out);
            return report.ok() ? Commands.OK : Commands.FAILED;
        }
    }

    /** The side-by-side table, then {@code DRIFT <line>} per divergence and {@code note <line>} per note. */
    @SuppressWarnings("unchecked")
    static void printDrift(Map<String, Object> body, PrintStream out) {
        List<Map<String, Object>> envs = (List<Map<String, Object>>) body.get("environments");
        List<String> header = new ArrayList<>(List.of(""));
        envs.forEach(e -> header.add((String) e.get("environment_id") + " (" + e.get("type") + ")"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        rows.add(row("odoo series", envs, e -> String.valueOf(e.get("odoo_series"))));
        int depth = envs.stream().mapToInt(e -> ((List<String>) e.get("addons_path")).size()).max().orElse(0);
        for (int i = 0; i < depth; i++) {
            int at = i;
            rows.add(row("addons path " + (i + 1), envs, e -> {
                List<String> p = (List<String>) e.get("addons_path");
                if (at >= p.size()) return "-";
                String commit = ((Map<String, String>) e.get("addons_commits")).get(p.get(at));
                return p.get(at) + (commit == null ? "" : " @" + commit.substring(0, Math.min(12, commit.length())));
            }));
        }
        TreeSet<String> modules = new TreeSet<>();
        envs.forEach(e -> modules.addAll(((Map<String, String>) e.getOrDefault("modules_installed", Map.of())).keySet()));
        for (String m : modules) {
            rows.add(row("module " + m, envs, e -> {
                String v = ((Map<String, String>) e.getOrDefault("modules_installed", Map.of())).get(m);
                return v == null ? "-" : v.isEmpty() ? "installed" : v;
            }));
        }
        int[] widths = new int[header.size()];
        for (List<String> r : rows) for (int i = 0; i < r.size(); i++) widths[i] = Math.max(widths[i], r.get(i).length());
        for (List<String> r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.size(); i++) b.append(String.format("%-" + widths[i] + "s", r.get(i))).append(i + 1 < r.size() ? "  " : "");
            out.println(b.toString().stripTrailing());
        }
        out.println();
        for (String d : (List<String>) body.get("divergences")) out.println("DRIFT " + d);
        for (String n : (List<String>) body.get("notes")) out.println("note  " + n);
        if (Boolean.TRUE.equals(body.get("ok"))) out.println("ok: no divergence that matters in project " + body.get("project"));
    }

    private static List<String> row(String label, List<Map<String, Object>> envs,
                                    java.util.function.Function<Map<String, Object>, String> cell) {
        List<String> r = new ArrayList<>(List.of(label));
        for (Map<String, Object> e : envs) r.add(e.containsKey("error") ? "unreadable" : cell.apply(e));
        return r;
    }

    @Command(name = "config", mixinStandardHelpOptions = true, subcommands = {DriftCli.ConfigInventoryCommand.class},
            description = "The configuration: `config inventory [--env E] [--template FILE]`.")
    static final class ConfigGroup extends Cli.Group {
    }

    @Command(name = "inventory", mixinStandardHelpOptions = true,
            description = "Every environment variable and secret reference the configuration reads (environments file "
                    + "${env:NAME} and ${secret:NAME}, application.properties), per environment, marked required and set "
                    + "or not; never a value. Reads the files only: works before the variables exist.")
    static final class ConfigInventoryCommand implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        ConfigGroup group;

        @Option(names = "--env", paramLabel = "E|P/E", description = "only what this environment reads (default: all)")
        String env;

        @Option(names = "--template", paramLabel = "FILE",
                description = "also write a .env.template there (NAME= lines with comments; refused when FILE exists)")
        java.nio.file.Path template;

        @Override
        public Integer call() throws Exception {
            Cli cli = group.cli;
            dev.odooops.config.ConfigInventory inventory = dev.odooops.config.ConfigInventory.read(cli.home(), cli.configDir(),
                    cli.env());
            java.util.Map<String, Object> report = new java.util.LinkedHashMap<>(inventory.report(env));
            if (template != null) {
                if (java.nio.file.Files.exists(template, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new dev.odooops.domain.RequestRejected("template", template + " exists: name a new file");
                }
                java.nio.file.Path parent = template.toAbsolutePath().getParent();
                java.nio.file.Path tmp = java.nio.file.Files.createTempFile(parent, ".env-template-", ".part");
                try {
                    java.nio.file.Files.writeString(tmp, inventory.template(env));
                    java.nio.file.Files.move(tmp, template); // no REPLACE_EXISTING: a file made meanwhile is not overwritten
                } finally {
                    java.nio.file.Files.deleteIfExists(tmp);
                }
                report.put("template", template.toString());
            }
            cli.out().println(Json.pretty(report));
            return Commands.OK;
        }
    }

    @Command(name = "evidence", mixinStandardHelpOptions = true, subcommands = {DriftCli.EvidencePrune.class, DriftCli.EvidenceGet.class},
            description = "Evidence retention: `evidence prune [--env E] [--dry-run]`, `evidence get RUN [--out DIR]`.")
    static final class EvidenceGroup extends Cli.Group {
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Evidence retention now, one run per environment: evidence older than evidence.compress-after-days "
                    + "compressed, uploaded to the store, read back and removed locally; older than evidence.delete-after-days "
                    + "deleted; the evidence of live artifacts kept. Exit 1 when one run failed (the next run tries again).")
    static final class EvidencePrune extends Cli.RuntimeCommand {
        @Option(names = "--env", paramLabel = "E|P/E", description = "only this environment (default: every environment)")
        String env;

        @Option(names = "--project", paramLabel = "P", description = "the project, when E alone is in several projects")
        String project;

        @Option(names = "--dry-run", description = "print what would be done; no run, nothing changed")
        boolean dryRun;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            List<dev.odooops.model.EvidencePruneRequest> requests = new ArrayList<>();
            if (env != null) {
                requests.add(new dev.odooops.model.EvidencePruneRequest(project, env, dryRun, user(rt), "cli"));
            } else {
                for (var e : rt.config().environments()) {
                    if (project == null || project.equals(e.project())) {
                        requests.add(new dev.odooops.model.EvidencePruneRequest(e.project(), e.name(), dryRun, user(rt), "cli"));
                    }
                }
            }
            List<Map<String, Object>> reports = new ArrayList<>();
            boolean ok = true;
            for (var r : requests) {
                Report report = rt.operations().evidencePrune(r);
                reports.add(report.body());
                ok &= report.ok();
            }
            cli().out().println(Json.pretty(env != null ? reports.get(0) : reports));
            return ok ? Commands.OK : Commands.FAILED;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "A run's evidence: its directory when still local, else fetched back from the store (SHA-256 "
                    + "checked against the catalog) and unpacked into --out.")
    static final class EvidenceGet extends Cli.RuntimeCommand {
        @picocli.CommandLine.Parameters(paramLabel = "RUN", description = "the run id")
        String run;

        @Option(names = "--out", paramLabel = "DIR", description = "a new directory to unpack into (default: ./evidence-RUN)")
        java.nio.file.Path out;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            java.util.UUID id = dev.odooops.model.EvidenceGetRequest.runId(run);
            Report report = rt.operations().evidenceGet(new dev.odooops.model.EvidenceGetRequest(id,
                    out == null ? java.nio.file.Path.of("evidence-" + id) : out, user(rt)));
            cli().out().println(Json.pretty(report.body()));
            return report.ok() ? Commands.OK : Commands.FAILED;
        }
    }
}
