package dev.odooops.backup;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class ArchiveFilestoreTest {
    @Test
    void should_tolerate_tar_exit_1_only_for_files_changed_or_removed_while_read() {
        assertTrue(ArchiveFilestore.onlyChangedWhileRead("tar exited with 1"));
        assertTrue(ArchiveFilestore.onlyChangedWhileRead("tar exited with 1: tar: ./ab/x: file changed as we read it\n"
                + "tar: ./cd/y: File removed before we read it\ntar: Exiting with failure status due to previous errors"));
        assertTrue(ArchiveFilestore.onlyChangedWhileRead("tar exited with 1: tar: ./ab/x: Warning: Cannot stat: No such file or directory"));
        assertFalse(ArchiveFilestore.onlyChangedWhileRead("tar exited with 1: tar: ./ab/x: file changed as we read it\n"
                + "tar: ./ab/y: Read error at byte 0, while reading 512 bytes: Input/output error"));
        assertFalse(ArchiveFilestore.onlyChangedWhileRead("tar exited with 1: tar: ./ab/x: Cannot open: Permission denied"));
    }
}
