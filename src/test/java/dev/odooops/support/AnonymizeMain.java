package dev.odooops.support;

import dev.odooops.domain.AnonymizationRules;
import dev.odooops.domain.Json;
import dev.odooops.postgres.Anonymizer;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;

/**
 * Runs the anonymisation engine on a database and filestore, for bench/anonymize.sh:
 * {@code java -cp target/odoo-ops.jar:target/test-classes dev.odooops.support.AnonymizeMain JDBC_URL USER FILESTORE SALT [RULES]}
 * (password from PGPASSWORD, connections at once from JOBS, default 1). Prints the evidence, then the wall time in ms on the last line.
 */
public final class AnonymizeMain {
    private AnonymizeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: AnonymizeMain JDBC_URL USER FILESTORE SALT [RULES_FILE]");
            System.exit(2);
        }
        AnonymizationRules rules = AnonymizationRules.load(args.length > 4 ? Path.of(args[4]) : null);
        long t0 = System.nanoTime();
        Map<String, Object> evidence;
        int jobs = Integer.parseInt(System.getenv().getOrDefault("JOBS", "1"));
        String password = System.getenv().getOrDefault("PGPASSWORD", "");
        evidence = new Anonymizer().anonymize(() -> DriverManager.getConnection(args[0], args[1], password), jobs,
                Path.of(args[2]), rules, args[3]).evidence();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println(Json.pretty(evidence));
        System.out.println("anonymize_ms=" + ms);
    }
}
