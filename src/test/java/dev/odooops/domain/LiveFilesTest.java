package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The walk of the live filestore a restore reuses files from: links are listed, never followed. */
@Tag("fast")
class LiveFilesTest {
    @TempDir
    Path dir;

    private Path live() throws Exception {
        Path live = Files.createDirectories(dir.resolve("live"));
        Files.createDirectories(live.resolve("ab"));
        Files.writeString(live.resolve("ab/one"), "one");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("two"), "two");
        Files.writeString(outside.resolve("secret"), "secret");
        Files.createSymbolicLink(live.resolve("cd"), outside);
        Files.createSymbolicLink(live.resolve("ab/file-link"), outside.resolve("secret"));
        return live;
    }

    @Test
    void should_list_the_regular_files_and_the_links_without_following_them() throws Exception {
        LiveFiles files = LiveFiles.scan(live(), AppProfile.ODOO);

        assertEquals(1, files.fileCount());
        assertEquals(3, files.file("ab/one").size());
        assertNull(files.file("cd/two"), "nothing behind a linked folder");
        assertNull(files.file("ab/file-link"));
        assertEquals(List.of("ab/file-link", "cd"), files.symlinks());
        assertNull(files.unavailable());
        assertEquals(1, files.warnings().size());
        assertTrue(files.warnings().get(0).contains("2 symbolic link(s) not followed") && files.warnings().get(0).contains("first ab/file-link"),
                files.warnings().toString());
        Map<String, Object> evidence = files.evidence(Map.of("linked_files", 1));
        assertEquals(List.of("ab/file-link", "cd"), evidence.get("symlinks"));
        assertEquals(1, evidence.get("linked_files"));
    }

    @Test
    void should_accept_only_a_hard_link_of_the_very_file_it_found() throws Exception {
        Path live = live();
        LiveFiles files = LiveFiles.scan(live, AppProfile.ODOO);
        Path fresh = Files.createDirectories(dir.resolve("fresh"));

        Files.createLink(fresh.resolve("one"), files.resolve("ab/one"));
        assertTrue(files.isTheFileFound("ab/one", fresh.resolve("one")));

        // the folder swapped for a link to elsewhere after the walk: the link made through it is another file
        Path moved = dir.resolve("moved-ab");
        Files.move(live.resolve("ab"), moved);
        Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(dir.resolve("elsewhere/one"), "one");
        Files.createSymbolicLink(live.resolve("ab"), dir.resolve("elsewhere"));
        Files.createLink(fresh.resolve("one-again"), files.resolve("ab/one"));
        assertFalse(files.isTheFileFound("ab/one", fresh.resolve("one-again")));
        // a copy is never the file found, nor is any path the walk did not find
        Files.copy(moved.resolve("one"), fresh.resolve("copy"));
        assertFalse(files.isTheFileFound("ab/one", fresh.resolve("copy")));
        assertFalse(files.isTheFileFound("cd/two", fresh.resolve("one")));
    }

    @Test
    void should_reuse_nothing_when_the_filestore_itself_is_a_link_or_absent() throws Exception {
        Path live = live();
        Path link = Files.createSymbolicLink(dir.resolve("link-to-live"), live);
        LiveFiles linked = LiveFiles.scan(link, AppProfile.ODOO);
        assertEquals(0, linked.fileCount());
        assertEquals(List.of("."), linked.symlinks());
        assertNotNull(linked.unavailable());

        LiveFiles absent = LiveFiles.scan(dir.resolve("none"), AppProfile.ODOO);
        assertEquals(0, absent.fileCount());
        assertTrue(absent.warnings().isEmpty());
    }

    @Test
    void should_not_walk_what_the_profile_leaves_out() throws Exception {
        Path live = Files.createDirectories(dir.resolve("documents"));
        Files.createDirectories(live.resolve("facture/temp"));
        Files.writeString(live.resolve("facture/temp/scratch"), "x");
        Files.writeString(live.resolve("facture/kept.pdf"), "y");
        LiveFiles files = LiveFiles.scan(live, AppProfile.DOLIBARR);
        assertNotNull(files.file("facture/kept.pdf"));
        assertNull(files.file("facture/temp/scratch"));
    }
}
