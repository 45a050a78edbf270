package dev.odooops.restore;

import dev.odooops.postgres.PgAdmin;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.WorkFiles;

import dev.odooops.config.EnvironmentConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The side copies a restore makes beside an environment's live database and filestore, named after the run
 * so that whoever comes next (the rollback, finalize, a recovery after a crash) can tell from the names alone
 * what each copy is:
 * <ul>
 *   <li>{@code restore}: the new copy being loaded, never yet live;</li>
 *   <li>{@code pre}: the live copy moved aside by the swap, the state before the restore: the only copy that
 *       may hold writes newer than the safety backup, so it is never deleted while it may be needed;</li>
 *   <li>{@code failed}: the restored copy moved away by a rollback;</li>
 *   <li>{@code trash}: a copy whose deletion has been decided (the run committed); deleted, never put back.</li>
 * </ul>
 * Databases are {@code <db>__<role>_<tag>} (cut to PostgreSQL's 63 characters), directories
 * {@code <filestore>.<role>-<tag>} beside the live one (same filesystem, so moves are atomic renames).
 * The tag is the first 8 hex digits of the run id, or {@code rb} + 6 for the rollback's own restore.
 */
public final class SideCopies {
    public enum Role {
        RESTORE, PRE, FAILED, TRASH;

        String word() {
            return name().toLowerCase();
        }
    }

    private static final Pattern DB_NAME = Pattern.compile("^(.*)__(restore|pre|failed|trash)_((?:rb)?[0-9a-f]{6,8})$");
    private static final Pattern DIR_NAME = Pattern.compile("^(.*)\\.(restore|pre|failed|trash)-((?:rb)?[0-9a-f]{6,8})$");

    private SideCopies() {
    }

    /** The tag of a run's side copies. */
    public static String tag(UUID runId) {
        return runId.toString().substring(0, 8);
    }

    /** The run-id prefix a tag stands for (a rollback's tag {@code rbXXXXXX} stands for its run). */
    public static String runIdPrefix(String tag) {
        return tag.startsWith("rb") ? tag.substring(2) : tag;
    }

    public static String database(String live, Role role, String tag) {
        String suffix = "__" + role.word() + "_" + tag;
        return (live.length() + suffix.length() > 63 ? live.substring(0, 63 - suffix.length()) : live) + suffix;
    }

    public static Path filestore(Path live, Role role, String tag) {
        return live.resolveSibling(live.getFileName() + "." + role.word() + "-" + tag);
    }

    /** A side copy found on disk or in the cluster. Exactly one of {@code database} and {@code directory} is set. */
    public record Found(Role role, String tag, String database, Path directory) {
        public String describe() {
            return database != null ? "database " + database : "directory " + directory;
        }
    }

    /** The side databases of {@code live} that exist now. */
    static List<Found> databases(PgAdmin admin, String live) throws SQLException {
        List<Found> out = new ArrayList<>();
        for (String name : admin.namesLike(live.length() > 40 ? live.substring(0, 40) : live)) {
            Found f = database(live, name);
            if (f != null) out.add(f);
        }
        return out;
    }

    /** The side copy of {@code live} that the database {@code name} is, or null when it is none. */
    static Found database(String live, String name) {
        Matcher m = DB_NAME.matcher(name);
        if (!m.matches() || !live.startsWith(m.group(1))) return null;
        Role role = Role.valueOf(m.group(2).toUpperCase());
        return database(live, role, m.group(3)).equals(name) ? new Found(role, m.group(3), name, null) : null;
    }

    /** The side directories of {@code live} that exist now. */
    static List<Found> directories(Path live) throws IOException {
        Path parent = live.toAbsolutePath().getParent();
        List<Found> out = new ArrayList<>();
        if (parent == null || !Files.isDirectory(parent)) return out;
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path p : siblings.toList()) {
                Matcher m = DIR_NAME.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(live.getFileName().toString())) {
                    out.add(new Found(Role.valueOf(m.group(2).toUpperCase()), m.group(3), null, p));
                }
            }
        }
        return out;
    }

    /**
     * Puts the environment back from the copies the run with {@code tag} kept aside, judging only from what
     * exists under the run's names, so it is safe to repeat after a crash at any point:
     * <ol>
     *   <li>a {@code pre} copy goes back under the live name; what stands there now is first moved to
     *       {@code failed}. This never depends on removing anything: if it cannot be done, it throws and
     *       leaves the {@code pre} copy where it is;</li>
     *   <li>then the {@code restore} and {@code failed} copies are removed; a removal that fails is recorded
     *       in {@code leftovers} and does not undo step 1.</li>
     * </ol>
     */
    static void putBack(EnvironmentConfig env, String tag, boolean database, boolean filestore, List<Object> actions,
                        List<String> leftovers) throws Exception {
        if (database) {
            String live = env.database().name();
            String fresh = database(live, Role.RESTORE, tag);
            String aside = database(live, Role.PRE, tag);
            String failed = database(live, Role.FAILED, tag);
            try (PgAdmin admin = new PgAdmin(env.database())) {
                if (admin.exists(aside)) {
                    if (admin.exists(live)) {
                        admin.renameWithoutSessions(live, failed);
                        actions.add("database " + live + " (restored) -> " + failed);
                    }
                    admin.rename(aside, live);
                    actions.add("database " + aside + " -> " + live + " (put back)");
                }
                for (String gone : List.of(fresh, failed)) {
                    if (!admin.exists(gone)) continue;
                    try {
                        admin.dropIfExists(gone);
                        actions.add("dropped " + gone);
                    } catch (SQLException e) {
                        leftovers.add("database " + gone + ": " + e.getMessage());
                        actions.add("could not drop " + gone + " (left over): " + e.getMessage());
                    }
                }
            }
        }
        if (filestore) {
            Path live = env.filestore().toAbsolutePath();
            Path fresh = filestore(live, Role.RESTORE, tag);
            Path aside = filestore(live, Role.PRE, tag);
            Path failed = filestore(live, Role.FAILED, tag);
            if (Files.exists(aside)) {
                if (Files.exists(live)) {
                    carryLogs(env, live, aside, actions); // the failed attempt's log lines stay live
                    Files.move(live, failed, StandardCopyOption.ATOMIC_MOVE);
                    actions.add("filestore " + live + " (restored) -> " + failed);
                }
                Files.move(aside, live, StandardCopyOption.ATOMIC_MOVE);
                actions.add("filestore " + aside + " -> " + live + " (put back)");
            }
            for (Path gone : List.of(fresh, failed)) {
                if (!Files.exists(gone)) continue;
                removeDirectory(gone, tag, actions, leftovers);
            }
        }
    }

    /**
     * Moves the application's log files (its own, {@link dev.odooops.domain.AppProfile#ownLog}, and the control
     * block's {@code log_file} when it lies below the files' root) from one tree to the other, by rename on the same
     * file system (a writer's open descriptor follows the file): logs are never restored, replaced or removed, so
     * whichever tree becomes live keeps them. A log the target already has is left where it is (reported).
     */
    static void carryLogs(EnvironmentConfig env, Path from, Path to, List<Object> actions) throws IOException {
        if (!Files.isDirectory(from) || !Files.isDirectory(to)) return;
        java.util.Set<String> logs = new java.util.TreeSet<>();
        try (Stream<Path> top = Files.list(from)) {
            top.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(env.app()::ownLog).forEach(logs::add);
        }
        Path configured = env.control() == null ? null : env.control().logFile();
        Path live = env.filestore().toAbsolutePath().normalize();
        if (configured != null && configured.toAbsolutePath().normalize().startsWith(live)) {
            String rel = live.relativize(configured.toAbsolutePath().normalize()).toString();
            if (!rel.isEmpty() && Files.isRegularFile(from.resolve(rel), java.nio.file.LinkOption.NOFOLLOW_LINKS)) logs.add(rel);
        }
        for (String rel : logs) {
            Path target = to.resolve(rel);
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                actions.add("log " + rel + ": " + to + " has one already, the other stays in " + from);
                continue;
            }
            Files.createDirectories(target.getParent());
            Files.move(from.resolve(rel), target, StandardCopyOption.ATOMIC_MOVE);
            actions.add("log " + rel + " carried over to " + to);
        }
    }

    /**
     * Removes a side directory: first renamed to its {@code trash} name (atomic), then deleted, so a crash in
     * the middle leaves a {@code trash} directory that is only ever deleted, never a half-deleted copy under a
     * name that could be put back.
     */
    static void removeDirectory(Path dir, String tag, List<Object> actions, List<String> leftovers) {
        Path live = liveOf(dir);
        Path trash = dir;
        try {
            if (live != null && !dir.equals(filestore(live, Role.TRASH, tag))) {
                trash = filestore(live, Role.TRASH, tag);
                if (Files.exists(trash)) WorkFiles.deleteTree(trash);
                Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            }
            deleteTree(trash);
            if (Files.exists(trash)) throw new IOException("some files could not be deleted");
            actions.add("removed " + dir);
        } catch (IOException e) {
            leftovers.add("directory " + trash + ": " + e.getMessage());
            actions.add("could not remove " + dir + " (left over): " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        boolean[] first = {true};
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
                if (first[0]) {
                    first[0] = false;
                    CrashPoints.reached("side-copies:deleting");
                }
            }
        }
    }

    /** Drops a side database: renamed to its {@code trash} name first when it is a {@code pre} copy. */
    static void dropDatabase(PgAdmin admin, String live, String name, String tag, List<Object> actions,
                             List<String> leftovers) {
        try {
            String target = name;
            if (name.equals(database(live, Role.PRE, tag))) {
                target = database(live, Role.TRASH, tag);
                admin.dropIfExists(target);
                admin.renameWithoutSessions(name, target);
            }
            admin.dropIfExists(target);
            actions.add("dropped " + name);
        } catch (SQLException e) {
            leftovers.add("database " + name + ": " + e.getMessage());
            actions.add("could not drop " + name + " (left over): " + e.getMessage());
        }
    }

    /** The live filestore a side directory belongs to, or null when the name is not a side name. */
    private static Path liveOf(Path side) {
        Matcher m = DIR_NAME.matcher(side.getFileName().toString());
        return m.matches() ? side.resolveSibling(m.group(1)) : null;
    }
}
