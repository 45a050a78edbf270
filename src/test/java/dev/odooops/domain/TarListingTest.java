package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class TarListingTest {
    /** What {@code tar --list --verbose --numeric-owner --full-time --quoting-style=escape} prints (GNU tar 1.34). */
    static final String LISTING = """
            drwxr-xr-x 0/0               0 2026-11-23 18:37:05 ./
            drwxr-xr-x 0/0               0 2026-11-23 18:37:05 ./ab/
            -rw-r--r-- 0/0               3 2026-11-23 18:37:05 ./ab/f1
            -rw-r--r-- 0/0               2 2026-11-23 18:37:05 ./ab/sp ace
            -rw-r--r-- 0/0               0 2026-11-23 18:37:05 ./ab/new\\nline
            prw-r--r-- 0/0               0 2026-11-23 18:37:05 ./ab/fifo
            crw-r--r-- 0/0             1,3 2026-11-23 18:37:05 ./ab/dev
            brw-r--r-- 0/0             8,0 2026-11-23 18:37:05 ./ab/disk
            hrw-r--r-- 0/0               0 2026-11-23 18:37:05 ./ab/hl link to /etc/passwd
            lrwxrwxrwx 0/0               0 2026-11-23 18:37:05 ./ab/sym -> /etc/passwd
            -rw-r--r-- 0/0               1 2026-11-23 18:37:05 ../escape
            -rw-r--r-- 0/0               1 2026-11-23 18:37:05 /abs/path
            -rw-r--r-- 0/0     10737418240 2026-11-23 18:37:05 ./big
            """;

    @Test
    void should_parse_kind_name_and_size_of_every_member() {
        List<TarListing.Member> m = TarListing.parse(LISTING);
        assertEquals(13, m.size());
        assertEquals(new TarListing.Member(TarListing.Kind.DIRECTORY, "./", 0, m.get(0).line()), m.get(0));
        assertEquals("", m.get(0).path());
        assertEquals("ab", m.get(1).path());
        assertEquals("ab/sp ace", m.get(3).path());
        assertEquals("ab/new\nline", m.get(4).path());
        assertEquals(List.of(TarListing.Kind.FIFO, TarListing.Kind.CHAR_DEVICE, TarListing.Kind.BLOCK_DEVICE,
                TarListing.Kind.HARDLINK, TarListing.Kind.SYMLINK), m.subList(5, 10).stream().map(TarListing.Member::kind).toList());
        assertEquals("./ab/sym", m.get(9).name());
        assertEquals(10737418240L, m.get(12).size());
    }

    @Test
    void should_read_the_index_tar_writes_while_creating_with_time_stamps_padded_to_the_widest_so_far() {
        // tar 1.34 --create --verbose --full-time: each stamp is left-justified to the widest printed before it
        List<TarListing.Member> m = TarListing.parse("""
                drwxr-xr-x 0/0               0 2026-11-23 19:54:06.38955324 ./01/
                -rw-r--r-- 0/0               3 2026-01-01 10:00:00.123456789 ./ab/f1
                -rw-r--r-- 0/0           37090 2026-01-01 10:00:00           ./08/08c0bf4fd582761f857b06a0d2840aedcfbcec4e
                -rw-r--r-- 0/0               3 2026-11-23 19:52:26.4495564   ./y
                """);
        assertEquals(List.of("01", "ab/f1", "08/08c0bf4fd582761f857b06a0d2840aedcfbcec4e", "y"),
                m.stream().map(TarListing.Member::path).toList());
        assertEquals(37090, m.get(2).size());
        assertEquals(TarListing.Kind.FILE, m.get(3).kind());
    }

    @Test
    void should_read_what_the_real_tar_prints_for_a_whole_second_time_after_a_nanosecond_one(@TempDir Path dir)
            throws Exception {
        // the case a re-restore meets: a new file (nanosecond mtime) before files tar extracted (whole seconds)
        Path src = Files.createDirectories(dir.resolve("src").resolve("ab"));
        Files.writeString(src.resolve("a1"), "new");
        Files.setLastModifiedTime(src.resolve("a1"), FileTime.from(Instant.parse("2026-01-01T10:00:00.123456789Z")));
        Files.writeString(src.resolve("b2"), "extracted");
        Files.setLastModifiedTime(src.resolve("b2"), FileTime.from(Instant.parse("2026-01-01T10:00:00Z")));
        Path index = dir.resolve("index");
        List<String> argv = new ArrayList<>(List.of("tar", "--create", "--file=" + dir.resolve("a.tar"),
                "--directory=" + dir.resolve("src"), "--verbose", "--index-file=" + index, "./ab/a1", "./ab/b2"));
        argv.addAll(TarListing.LIST_OPTIONS);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        List<TarListing.Member> m = TarListing.parse(Files.readString(index));
        assertEquals(List.of("ab/a1", "ab/b2"), m.stream().map(TarListing.Member::path).toList());
        assertEquals(List.of(TarListing.Kind.FILE, TarListing.Kind.FILE), m.stream().map(TarListing.Member::kind).toList());
    }

    @Test
    void should_keep_a_leading_space_that_is_part_of_the_name() {
        List<TarListing.Member> m = TarListing.parse("-rw-r--r-- 0/0 3 2026-01-01 10:00:00  spaced\n");
        assertEquals(" spaced", m.get(0).path());
    }

    @Test
    void should_refuse_every_member_that_is_not_a_plain_file_or_directory_inside_the_root() {
        List<String> refused = TarListing.refusals(TarListing.parse(LISTING), 1000);
        assertEquals(List.of("fifo: ./ab/fifo", "char device: ./ab/dev", "block device: ./ab/disk", "hardlink: ./ab/hl",
                "symlink: ./ab/sym", "'..' component: ../escape", "absolute path: /abs/path"), refused.subList(0, 7));
        assertTrue(refused.get(7).startsWith("member larger than the recorded filestore total of 1000 bytes: ./big"), refused.get(7));
        assertTrue(refused.get(8).startsWith("members add up to"), refused.get(8));
    }

    @Test
    void should_admit_regular_files_and_directories_within_the_bound() {
        String ok = String.join("\n", LISTING.lines().limit(5).toList());
        assertEquals(List.of(), TarListing.refusals(TarListing.parse(ok), 5));
        assertEquals(List.of("members add up to 5 bytes, more than the recorded filestore total of 4"),
                TarListing.refusals(TarListing.parse(ok), 4));
    }

    @Test
    void should_treat_an_unparseable_line_as_a_refused_member() {
        List<TarListing.Member> m = TarListing.parse("something tar never prints\n");
        assertEquals(TarListing.Kind.OTHER, m.get(0).kind());
        assertEquals(1, TarListing.refusals(m, -1).size());
    }

    @Test
    void should_unescape_octal_utf8_bytes() {
        assertEquals("caf\u00e9 a\\b", TarListing.unescape("caf\\303\\251 a\\\\b"));
    }
}
