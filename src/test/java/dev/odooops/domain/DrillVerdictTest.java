package dev.odooops.domain;

import dev.odooops.exec.ToolFailedException;
import dev.odooops.store.StoreException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a drill that did not pass says of its artifact: only causes known to be the infrastructure's are inconclusive. */
@Tag("fast")
class DrillVerdictTest {

    @Test
    void should_flag_the_artifact_for_what_the_artifact_is_to_blame_for() {
        for (Throwable artifactsFault : new Throwable[]{
                new IllegalStateException("drill validation failed: modules: modules differ from the manifest: {base=9.9.9}"),
                new IllegalStateException("db.dump: sha256 differs from the manifest (expected 3f2a..., got 9c1b...)"),
                // the store answered: the object is not there (the backup is incomplete or was deleted)
                new StoreException("S3 getObject on bucket b failed: The specified key does not exist. (Service: S3, Status Code: 404)"),
                new UncheckedIOException(new NoSuchFileException("/srv/store/p/prod/a/db.dump")),
                new ToolFailedException("pg_restore", 1, "pg_restore exited with 1: pg_restore: error: could not read from input file: end of file"),
                new ToolFailedException("zstd", 1, "zstd exited with 1: zstd: /dev/stdin: unknown header"),
                new IllegalStateException("the drill command failed: exit 1: odoo.modules.loading: Some modules are not loaded"),
                // judged: whatever Odoo's output or a check's detail says, the artifact fell short
                new ArtifactJudged("the drill command failed: odoo exited with 1: ... ConnectionRefusedError: [Errno 111] "
                        + "Connection refused ... KeyError: 'res.partner'"),
                new IllegalStateException("drill", new ArtifactJudged("drill validation failed: data_samples: "
                        + "S3 getObject ... Status Code: 503 in a stored text")),
                // S3 answers 403 for a missing object to credentials without s3:ListBucket: not taken for an outage
                new StoreException("S3 getObject on bucket b failed: Access Denied (Service: S3, Status Code: 403, Request ID: 1)"),
                new RuntimeException((String) null)}) {
            DrillVerdict v = DrillVerdict.of(artifactsFault);
            assertEquals("failed", v.status(), artifactsFault.toString());
            assertFalse(v.inconclusive());
        }
    }

    @Test
    void should_be_inconclusive_when_the_store_server_or_disk_stopped_the_drill() {
        assertInconclusive(new StoreException("artifact a: the store directory /mnt/backups cannot be reached (missing or not mounted)"),
                "the store cannot be reached");
        assertInconclusive(new StoreException("S3 getObject on bucket b failed: Unable to execute HTTP request: Connect to 127.0.0.1:9 failed",
                new IOException("x")), "the store cannot be reached");
        assertInconclusive(new StoreException("S3 getObject on bucket b failed: Service Unavailable (Service: S3, Status Code: 503)"),
                "the store is unavailable");
        assertInconclusive(new StoreException("S3 getObject on bucket b failed: Please reduce your request rate. (Service: S3, "
                + "Status Code: 503, Request ID: 4442587FB7D0A2F9)"), "HTTP 503");
        assertInconclusive(new SQLException("Connection to 127.0.0.1:5433 refused. Check that the hostname and port are correct "
                + "and that the postmaster is accepting TCP/IP connections."), "cannot be reached");
        assertInconclusive(new ToolFailedException("pg_restore", 1, "pg_restore exited with 1: pg_restore: error: connection to server "
                + "at \"127.0.0.1\", port 5433 failed: FATAL:  sorry, too many clients already"), "no connection left");
        assertInconclusive(new IllegalStateException("fetch failed", new ConnectException("Connection refused")), "cannot be reached");
        assertInconclusive(new IllegalStateException("db.dump of a is encrypted (age) and no encryption.identity is configured for "
                + "project p (restore, verify-artifact --read-data and repack need it; see docs/configuration.md, encryption)"),
                "no encryption.identity");
        assertInconclusive(new SQLException("Connection to 127.0.0.1:5433 refused.", "08001"), "SQLSTATE 08001");
        assertInconclusive(new SQLException("could not write to file \"base/1/2\": No space left on device", "53100"), "SQLSTATE 53100");
        assertInconclusive(new SQLException("terminating connection due to administrator command", "57P01"), "SQLSTATE 57P01");
        assertInconclusive(new UncheckedIOException(new FileSystemException("/var/lib/odoo-ops/drills/x/filestore/ab/cd", null,
                "No space left on device")), "the disk is full");
        assertInconclusive(new ToolFailedException("tar", 2, "tar exited with 2: tar: ./ab/cd: Cannot write: No space left on device"),
                "the disk is full");
        assertInconclusive(new ToolFailedException("pg_restore", 1, "pg_restore exited with 1: pg_restore: error: could not execute query: "
                + "ERROR:  could not extend file \"base/16384/16400\": wrote only 4096 of 8192 bytes at block 12"), "disk is full");
        assertInconclusive(new ToolFailedException("pg_restore", 1, "pg_restore exited with 1: pg_restore: error: connection to server at "
                + "\"127.0.0.1\", port 5433 failed: Connection refused"), "refused the connection");
        assertInconclusive(new ToolFailedException("pg_restore", 1, "pg_restore exited with 1: pg_restore: error: could not execute query: "
                + "server closed the connection unexpectedly"), "closed the connection");
    }

    @Test
    void should_call_a_killed_drill_inconclusive_and_stop_at_a_cycle_of_causes() {
        assertTrue(DrillVerdict.abandoned().inconclusive());
        assertTrue(DrillVerdict.abandoned().why().contains("killed"));
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertEquals(DrillVerdict.FAILED, DrillVerdict.of(a));
    }

    private static void assertInconclusive(Throwable cause, String why) {
        DrillVerdict v = DrillVerdict.of(cause);
        assertEquals("inconclusive", v.status(), cause.toString());
        assertTrue(v.why().contains(why), v.why());
    }
}
