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
 * <p>A <b>shared-group</b> filestore (its directory group-writable: Odoo and odoo-ops, two users, in one group, Odoo
 * with {@code UMask=0007}; docs/install.md) gets group-writable modes instead, directories setgid so that what
 * Odoo later creates in them keeps the group: directories {@value #SHARED_DIR_MODE} (2770), files
 * {@value #SHARED_FILE_MODE} (0660). That is how odoo-ops, running as its own user (the package's {@code odoo-ops}),
 * restores into the filestore of Odoo's user: {@code filestore_owner: odoo-ops:odoo} (a process that is not root
 * can give its files to a group it is in, not to another user).
 */
public record FilestoreOwner(UserPrincipal user, GroupPrincipal group, boolean sharedGroup) {
    public static final String DIR_MODE = "rwxr-x---";
    public static final String FILE_MODE = "rw-r-----";
    public static final String SHARED_DIR_MODE = "rwxrws---";
    public static final String SHARED_FILE_MODE = "rw-rw----";
    private static final Set<PosixFilePermission> DIRS = PosixFilePermissions.fromString(DIR_MODE);
    private static final Set<PosixFilePermission> FILES = PosixFilePermissions.fromString(FILE_MODE);
    private static final int SHARED_DIR_BITS = 02770;
    private static final int SHARED_FILE_BITS = 0660;

    /** Owner-private modes (0750/0640). */
    public FilestoreOwner(UserPrincipal user, GroupPrincipal group) {
        this(user, group, false);
    }

    /** The directory mode this owner gives, as {@code ls} shows it. */
    public String dirMode() {
        return sharedGroup ? SHARED_DIR_MODE : DIR_MODE;
    }

    /** The file mode this owner gives, as {@code ls} shows it. */
    public String fileMode() {
        return sharedGroup ? SHARED_FILE_MODE : FILE_MODE;
    }

    /** The configured {@code user[:group]} (the group defaults to the one of the live filestore), or the live one's. */
    public static FilestoreOwner resolve(String configured, Path live) throws IOException {
        Path reference = Files.exists(live, LinkOption.NOFOLLOW_LINKS) ? live : live.toAbsolutePath().getParent();
        PosixFileAttributes ref = Files.readAttributes(reference, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        boolean shared = ref.permissions().contains(PosixFilePermission.GROUP_WRITE);
        if (configured == null) return new FilestoreOwner(ref.owner(), ref.group(), shared);
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        String[] parts = configured.split(":", 2);
        try {
            UserPrincipal user = lookup.lookupPrincipalByName(parts[0]);
            GroupPrincipal group = parts.length == 2 ? lookup.lookupPrincipalByGroupName(parts[1]) : ref.group();
            return new FilestoreOwner(user, group, shared);
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
                    set(dir, true);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (!attrs.isRegularFile()) {
                        throw new IllegalStateException("not a regular file or a directory in the filestore: " + root.relativize(file));
                    }
                    set(file, false);
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
                    set(dir, true);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set owner and modes under " + root, e);
        }
    }

    private void set(Path p, boolean directory) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes now = view.readAttributes();
        if (!now.owner().equals(user)) view.setOwner(user);
        if (!now.group().equals(group)) view.setGroup(group);
        if (sharedGroup) {
            // the setgid bit has no PosixFilePermission: the unix view's mode (chmod) sets it, after the group
            Files.setAttribute(p, "unix:mode", directory ? SHARED_DIR_BITS : SHARED_FILE_BITS, LinkOption.NOFOLLOW_LINKS);
        } else {
            view.setPermissions(directory ? DIRS : FILES);
        }
    }

    @Override
    public String toString() {
        return user.getName() + ":" + group.getName() + (sharedGroup ? " (shared group)" : "");
    }
}
