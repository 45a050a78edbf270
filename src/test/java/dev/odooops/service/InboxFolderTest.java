package dev.odooops.service;

import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inbox folder's own rules on the real file system: who may write it (checked at serve start, as ssh checks
 * its keys), names in done/ and error/ that never overwrite each other, and file names safe for a log line.
 */
class InboxFolderTest {
    @TempDir
    Path tmp;

    private static void chmod(Path p, String mode) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    @Test
    void should_create_a_private_inbox_and_accept_it() throws Exception {
        Path inbox = tmp.resolve("spool").resolve("inbox");
        InboxFolder.create(inbox);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(inbox)));
        assertNull(InboxFolder.problem(inbox));
    }

    @Test
    void should_refuse_an_inbox_that_group_or_others_can_write_naming_the_path_and_mode() throws Exception {
        Path inbox = tmp.resolve("inbox");
        InboxFolder.create(inbox);
        chmod(inbox, "rwxrwx---");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InboxFolder.create(inbox));
        assertTrue(e.getMessage().contains(inbox + " is writable by group or other users (mode 0770)"), e.getMessage());
        chmod(inbox, "rwx------");
        chmod(inbox.resolve("done"), "rwxr-xrwx");
        assertTrue(InboxFolder.problem(inbox).contains(inbox.resolve("done") + " is writable"), InboxFolder.problem(inbox));
    }

    @Test
    void should_refuse_a_parent_others_can_write_unless_it_is_sticky() throws Exception {
        Path parent = tmp.resolve("shared");
        Path inbox = parent.resolve("inbox");
        InboxFolder.create(inbox);
        chmod(parent, "rwxrwxrwx");
        assertTrue(InboxFolder.problem(inbox).contains(parent + " is writable by group or other users (mode 0777)"),
                InboxFolder.problem(inbox));
        Files.setAttribute(parent, "unix:mode", 01777); // like /tmp: others cannot rename what is not theirs
        assertNull(InboxFolder.problem(inbox));
    }

    @Test
    void should_refuse_to_serve_with_a_loose_inbox() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("inbox_loose").withType("staging")) {
            Path inbox = env.root.resolve("inbox");
            InboxFolder.create(inbox);
            chmod(inbox, "rwxrwxrwx");
            env.withProperty("inbox.dir", inbox.toString());
            Exception e = assertThrows(Exception.class, env::serviceRuntime);
            String message = String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
            assertTrue(message.contains(inbox + " is writable by group or other users (mode 0777)"), message);
        }
    }

    @Test
    void should_give_each_entry_a_name_of_its_own() throws Exception {
        Path done = Files.createDirectories(tmp.resolve("done"));
        assertEquals(done.resolve("nightly.json"), InboxFolder.reserve(done, "nightly.json"));
        assertEquals(done.resolve("nightly.1.json"), InboxFolder.reserve(done, "nightly.json"));
        Files.writeString(done.resolve("nightly.2.json.error.txt"), "taken by an error note");
        assertEquals(done.resolve("nightly.3.json"), InboxFolder.reserve(done, "nightly.json"));
        assertEquals(done.resolve("README"), InboxFolder.reserve(done, "README"));
        assertEquals(done.resolve("README.1"), InboxFolder.reserve(done, "README"));
    }

    @Test
    void should_name_an_unreadable_request_file_safely_and_leave_other_names_alone() {
        assertEquals("a%0Ab.yaml", InboxFolder.safeName("a\nb.yaml"));
        assertEquals("x%1B[31m%7F%uFFFD%u2028.json", InboxFolder.safeName("x\u001b[31m\u007f\uFFFD\u2028.json"));
        assertTrue(InboxFolder.hasControl("a\nb.yaml") && InboxFolder.hasControl("a\u0085.json"));
        assertFalse(InboxFolder.hasControl("plain name.json"));
        // a request file but for its name: taken by the route inbox-names
        assertTrue(InboxFolder.requestLike("a\nb.yaml") && InboxFolder.requestLike("nightly.YML\n")
                && InboxFolder.requestLike("c\uFFFDd.json"));
        // never a writer's temporary name, a hidden file or another kind of file
        assertFalse(InboxFolder.requestLike("a\nb.yaml.tmp"));
        assertFalse(InboxFolder.requestLike("a\nb.json.part"));
        assertFalse(InboxFolder.requestLike(".a\nb.yaml"));
        assertFalse(InboxFolder.requestLike("notes\n.txt"));
    }

    @Test
    void should_escape_a_name_that_would_forge_a_log_line() {
        assertEquals("a\\n2026-12-04 INFO forged\\r\\t\\u001b[31m.json", InboxFolder.printable("a\n2026-12-04 INFO forged\r\t\u001b[31m.json"));
        assertEquals("plain name.json", InboxFolder.printable("plain name.json"));
    }
}
