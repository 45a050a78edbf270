package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Set;

/**
 * Who owns a restored filestore, and with which modes. The archive's owners and modes are never used (tar
 * extracts with {@code --no-same-owner --no-same-permissions}); afterwards every directory gets
 * {@value #DIR_MODE} and every file {@value #FILE_MODE}, owned by the environment's {@code filestore_owner}
 * ({@code user[:group]}, names or numeric ids) or, when not configured, by the owner and group of the live
 * filestore (of its parent directory when there is none). Odoo itself only needs to read and write them as its
 * own user; nobody else needs anything.
 */
public record FilestoreOwner(UserPrincipal user, GroupPrincipal group) {
    public static final String DIR_MODE = "rwxr-x---";
    public static final String FILE_MODE = "rw-r-----";
    private static final Set<PosixFilePermission> DIRS = PosixFilePermissions.fromString(DIR_MODE);
    private static final Set<PosixFilePermission> FILES = PosixFilePermissions.fromString(FILE_MODE);

    /** The configured {@code user[:group]} (the group defaults to the one of the live filestore), or the live one's. */
    public static FilestoreOwner resolve(String configured, Path live) throws IOException {
        Path reference = Files.exists(live, LinkOption.NOFOLLOW_LINKS) ? live : live.toAbsolutePath().getParent();
        PosixFileAttributes ref = Files.readAttributes(reference, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (configured == null) return new FilestoreOwner(ref.owner(), ref.group());
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        String[] parts = configured.split(":", 2);
        try {
            UserPrincipal user = lookup.lookupPrincipalByName(parts[0]);
            GroupPrincipal group = parts.length == 2 ? lookup.lookupPrincipalByGroupName(parts[1]) : ref.group();
            return new FilestoreOwner(user, group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("filestore_owner: no such user or group on this machine: '" + e.getName() + "'");
        }
    }

    /**
     * Gives every entry under {@code root} (root included) this owner and the filestore modes. Refuses (throws)
     * anything that is not a regular file or a directory: nothing else may be in a filestore.
     */
    public void apply(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    set(dir, DIRS);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (!attrs.isRegularFile()) {
                        throw new IllegalStateException("not a regular file or a directory in the filestore: " + root.relativize(file));
                    }
                    set(file, FILES);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set owner and modes under " + root, e);
        }
    }

    /**
     * Gives the directories under {@code root} (root included) this owner and the directory mode, and leaves the
     * files alone: a restore's hard links to the live filestore's files must not change them.
     */
    public void applyToDirectories(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    set(dir, DIRS);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set owner and modes under " + root, e);
        }
    }

    private void set(Path p, Set<PosixFilePermission> mode) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes now = view.readAttributes();
        if (!now.owner().equals(user)) view.setOwner(user);
        if (!now.group().equals(group)) view.setGroup(group);
        view.setPermissions(mode);
    }

    @Override
    public String toString() {
        return user.getName() + ":" + group.getName();
    }
}
