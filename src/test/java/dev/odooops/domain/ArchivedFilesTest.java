package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("fast")
class ArchivedFilesTest {
    private static TarListing.Member file(String name, long size) {
        return new TarListing.Member(TarListing.Kind.FILE, name, size, name);
    }

    @Test
    void should_describe_what_tar_archived_and_rehash_members_read_in_another_state() {
        List<TarListing.Member> members = List.of(new TarListing.Member(TarListing.Kind.DIRECTORY, "./", 0, "./"),
                file("./ab/same", 3), file("./ab/grew", 2), file("./cd/ef/vanished", 4));
        Map<String, Checksums.Both> live = Map.of("ab/same", new Checksums.Both("s256", "s1", 3),
                "ab/grew", new Checksums.Both("g256", "g1", 5), "ab/not-archived", new Checksums.Both("n", "n", 1));

        ArchivedFiles a = ArchivedFiles.of(members, live);

        assertEquals(List.of("./ab/grew", "./cd/ef/vanished"), a.rehash().stream().map(TarListing.Member::name).toList());
        ArchivedFiles done = a.withRehashed(Map.of("ab/grew", new Checksums.Both("G256", "G1", 2),
                "cd/ef/vanished", new Checksums.Both("v256", "v1", 4)));
        assertEquals(List.of(), done.rehash());
        assertEquals(Map.of("ab/same", "s1", "ab/grew", "G1", "cd/ef/vanished", "v1"), done.sha1());
        assertEquals(TreeDigest.of(List.of(TreeDigest.Entry.directory("ab"), TreeDigest.Entry.directory("cd"),
                        TreeDigest.Entry.directory("cd/ef"), TreeDigest.Entry.file("ab/same", "s256", 3),
                        TreeDigest.Entry.file("ab/grew", "G256", 2), TreeDigest.Entry.file("cd/ef/vanished", "v256", 4)), 2),
                TreeDigest.of(done.entries(), 2), "implied parent directories count, the archived bytes count");
    }
}
