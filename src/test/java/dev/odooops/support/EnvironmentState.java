package dev.odooops.support;

import dev.odooops.domain.TreeDigest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a test compares an environment by: the content of every table (md5 over all rows), the filestore's
 * tree digest, the database's OID (the same physical database, not a copy), and the side copies left beside.
 */
public record EnvironmentState(Map<String, String> tables, String filestore) {

    public static EnvironmentState of(TestEnvironment env) throws Exception {
        return new EnvironmentState(tables(env.database), Files.isDirectory(env.odoo.filestore())
                ? TreeDigest.of(env.odoo.filestore()).digest() : "absent");
    }

    public static Map<String, String> tables(String database) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            var ps = c.prepareStatement("select 1 from pg_database where datname = ?");
            ps.setString(1, database);
            if (!ps.executeQuery().next()) return Map.of("database", "absent");
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", "")) {
            List<String> tables = new ArrayList<>();
            var rs = c.createStatement().executeQuery("select tablename from pg_tables where schemaname = 'public' order by 1");
            while (rs.next()) tables.add(rs.getString(1));
            for (String t : tables) {
                var r = c.createStatement().executeQuery("select count(*) || ':' || coalesce(md5(string_agg(x::text, '|' "
                        + "order by x::text)), '') from public." + t + " x");
                r.next();
                out.put(t, r.getString(1));
            }
        }
        return out;
    }

    public static Long oid(String database) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            var ps = c.prepareStatement("select oid from pg_database where datname = ?");
            ps.setString(1, database);
            var rs = ps.executeQuery();
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    /** Side databases ({@code <db>__*}) and side directories beside the filestore. */
    public static List<String> sideCopies(TestEnvironment env) throws Exception {
        List<String> out = new ArrayList<>(TestEnvironment.ops("select datname from pg_database where datname like ?",
                env.database + "\\_\\_%").stream().map(m -> (String) m.get("datname")).toList());
        Path fs = env.odoo.filestore();
        try (Stream<Path> s = Files.list(fs.getParent())) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(fs.getFileName() + ".")).forEach(out::add);
        }
        return out;
    }
}
