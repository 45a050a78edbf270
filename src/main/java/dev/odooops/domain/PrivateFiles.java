package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Files and directories that hold backup data or evidence (a dump holds every business record and the users'
 * password hashes): the owner only, 0600 files and 0700 directories, or, with a group ({@code ops.file-group}),
 * 0640 and 0750 owned by that group. Modes are set explicitly after creation, so the process umask does not
 * matter. Directories that already exist are left as they are, except those this class is asked to protect.
 */
public final class PrivateFiles {
    /** Owner only: 0600 / 0700. Work files always use this (the password file must be 0600 for libpq). */
    public static final PrivateFiles OWNER_ONLY = new PrivateFiles(null);

    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> GROUP_FILE = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> GROUP_DIR = PosixFilePermissions.fromString("rwxr-x---");

    private final GroupPrincipal group;

    private PrivateFiles(GroupPrincipal group) {
        this.group = group;
    }

    /**
     * Owner and the named group (blank: owner only). The group must exist and this process must be able to give
     * files to it (be a member, or root): a probe file in {@code probeDir} (an existing directory) is created,
     * handed over and removed.
     *
     * @throws IllegalArgumentException naming the reason, when the group is unknown or cannot be used
     */
    public static PrivateFiles withGroup(String groupName, Path probeDir) {
        if (groupName == null || groupName.isBlank()) return OWNER_ONLY;
        GroupPrincipal g;
        try {
            g = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(groupName.trim());
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("no group named '" + groupName.trim() + "' on this machine");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("groups cannot be looked up here: " + e.getMessage());
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(probeDir, ".odoo-ops-group-", "");
            Files.getFileAttributeView(probe, PosixFileAttributeView.class).setGroup(g);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("cannot give files to group '" + groupName.trim()
                    + "' (is odoo-ops's user a member?): " + e.getMessage());
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a stray empty probe file is harmless
                }
            }
        }
        return new PrivateFiles(g);
    }

    /** The group that may read, or null for owner only. */
    public String groupName() {
        return group == null ? null : group.getName();
    }

    public Set<PosixFilePermission> fileMode() {
        return group == null ? FILE : GROUP_FILE;
    }

    public Set<PosixFilePermission> directoryMode() {
        return group == null ? DIR : GROUP_DIR;
    }

    /** For {@code Files.createFile}/{@code createTempFile}: the file is never, even briefly, readable by others. */
    public FileAttribute<Set<PosixFilePermission>> fileAttribute() {
        return PosixFilePermissions.asFileAttribute(fileMode());
    }

    /** Creates {@code dir} and every missing parent with the directory mode (and group); returns {@code dir}. */
    public Path createDirectories(Path dir) {
        Path abs = dir.toAbsolutePath();
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = abs; p != null && !Files.isDirectory(p); p = p.getParent()) missing.push(p);
        try {
            while (!missing.isEmpty()) {
                Path p = missing.pop();
                try {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(directoryMode()));
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(p)) throw e;
                    continue; // created meanwhile by someone else: not ours to change
                }
                protect(p);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + dir, e);
        }
    }

    /** Sets the mode (file or directory) and the group of an existing path of ours. */
    public void protect(Path path) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            if (view == null) return; // not a POSIX filesystem: it has no modes to set
            if (group != null) view.setGroup(group);
            view.setPermissions(Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? directoryMode() : fileMode());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the mode of " + path, e);
        }
    }
}
