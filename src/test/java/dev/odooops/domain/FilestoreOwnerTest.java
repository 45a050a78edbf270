package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class FilestoreOwnerTest {
    private static PosixFileAttributes attrs(Path p) throws Exception {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void should_give_the_configured_owner_and_filestore_modes_to_every_entry(@TempDir Path base) throws Exception {
        Path live = Files.createDirectories(base.resolve("live"));
        Path fresh = Files.createDirectories(base.resolve("fresh/ab"));
        Files.writeString(fresh.resolve("f"), "x");
        sh(null, "chmod", "6777", fresh.resolve("f").toString());

        FilestoreOwner owner = FilestoreOwner.resolve("nobody", live);
        owner.apply(base.resolve("fresh"));

        for (Path p : new Path[]{base.resolve("fresh"), fresh, fresh.resolve("f")}) {
            assertEquals("nobody", attrs(p).owner().getName(), p.toString());
            assertEquals(attrs(live).group(), attrs(p).group(), "the group defaults to the live filestore's");
        }
        assertEquals("rwxr-x---", PosixFilePermissions.toString(attrs(fresh).permissions()));
        assertEquals("640\n", sh(null, "stat", "-c", "%a", fresh.resolve("f").toString()), "no setuid/setgid either");
    }

    @Test
    void should_give_group_writable_setgid_modes_when_the_live_filestore_is_group_writable(@TempDir Path base) throws Exception {
        Path live = Files.createDirectories(base.resolve("live"));
        sh(null, "chmod", "2770", live.toString());
        Path fresh = Files.createDirectories(base.resolve("fresh/ab"));
        Files.writeString(fresh.resolve("f"), "x");
        sh(null, "chmod", "4755", fresh.resolve("f").toString());

        FilestoreOwner owner = FilestoreOwner.resolve(null, live);
        assertTrue(owner.sharedGroup(), owner.toString());
        owner.apply(base.resolve("fresh"));

        assertEquals("2770\n", sh(null, "stat", "-c", "%a", fresh.toString()), "setgid: what Odoo creates keeps the group");
        assertEquals("2770\n", sh(null, "stat", "-c", "%a", base.resolve("fresh").toString()));
        assertEquals("660\n", sh(null, "stat", "-c", "%a", fresh.resolve("f").toString()), "no setuid on files");
        assertEquals("rwxrws---", owner.dirMode());

        sh(null, "chmod", "0750", live.toString());
        assertTrue(!FilestoreOwner.resolve(null, live).sharedGroup(), "a private live filestore keeps private modes");
    }

    @Test
    void should_default_to_the_owner_of_the_live_filestore_or_its_parent(@TempDir Path base) throws Exception {
        Path live = Files.createDirectories(base.resolve("live"));
        sh(null, "chown", "nobody", live.toString());
        assertEquals("nobody", FilestoreOwner.resolve(null, live).user().getName());
        assertEquals(attrs(base).owner(), FilestoreOwner.resolve(null, base.resolve("missing")).user());
    }

    @Test
    void should_refuse_an_unknown_user_and_a_planted_link(@TempDir Path base) throws Exception {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> FilestoreOwner.resolve("no-such-user-xyz", base)).getMessage();
        assertTrue(msg.startsWith("filestore_owner: no such user"), msg);
        Files.createSymbolicLink(base.resolve("link"), Path.of("/etc/passwd"));
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/etc/passwd")));
        assertThrows(IllegalStateException.class, () -> FilestoreOwner.resolve(null, base).apply(base));
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/etc/passwd"))));
    }
}
