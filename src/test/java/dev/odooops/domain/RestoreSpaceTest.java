package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The free space a restore needs in the work directory and on the filestore's own file system. */
@Tag("fast")
class RestoreSpaceTest {
    private static final long MIB = 1 << 20;
    private static final String SHA = "a".repeat(40);

    @Test
    void should_count_as_linkable_only_the_files_the_live_filestore_holds_under_the_same_path_and_size() {
        FilestoreIndex index = FilestoreIndex.of(List.of(new FilestoreIndex.Entry("aa/one", SHA, 100, "p1"),
                new FilestoreIndex.Entry("aa/two", SHA, 200, "p1"), new FilestoreIndex.Entry("bb/three", SHA, 400, "p2")));
        assertEquals(100, RestoreSpace.linkable(index, Map.of("aa/one", 100L, "aa/two", 199L, "cc/four", 400L)));
    }

    @Test
    void should_ask_each_file_system_for_its_own_part_and_one_shared_file_system_for_the_sum() {
        RestoreSpace space = new RestoreSpace(10 * MIB, 5 * MIB, 100 * MIB, 30 * MIB);
        assertEquals(15 * MIB, space.workNeeds());
        assertEquals(70 * MIB, space.filestoreNeeds());
        RestoreSpace.Free work = new RestoreSpace.Free("work directory /w", 20 * MIB);
        RestoreSpace.Free data = new RestoreSpace.Free("filestore's file system /data", 60 * MIB);

        List<String> short_ = space.shortfalls(work, data, false);
        assertEquals(List.of("filestore's file system /data has 60.0 MiB free, needs 70.0 MiB for the new filestore beside the live one"),
                short_);
        assertEquals(List.of(), space.shortfalls(work, new RestoreSpace.Free("filestore's file system /data", 70 * MIB), false));
        // one file system for both: 15 + 70 MiB
        assertEquals(List.of("work directory /w and filestore's file system /data (one file system) have 80.0 MiB free, need 85.0 MiB"),
                space.shortfalls(new RestoreSpace.Free("work directory /w", 80 * MIB), data, true));
        // no filestore restored: the work directory alone
        assertEquals(List.of(), new RestoreSpace(10 * MIB, 0, 0, 0).shortfalls(work, null, false));
    }

    @Test
    void should_describe_every_figure_it_compared_and_never_a_bare_zero() {
        RestoreSpace space = new RestoreSpace(300 * 1024, 2 * MIB, 40 * MIB, 38 * MIB);
        String said = space.describe(new RestoreSpace.Free("work directory /w", 900 * MIB),
                new RestoreSpace.Free("filestore's file system /data", 500 * MIB), false);
        assertEquals("work directory /w: 900.0 MiB free, needs 2.3 MiB (artifact files 0.3 MiB, largest pack 2.0 MiB); "
                + "filestore's file system /data: 500.0 MiB free, needs 2.0 MiB (new filestore 40.0 MiB, 38.0 MiB of it "
                + "linked from the live one)", said);
        assertFalse(said.contains("2 x"));
        assertTrue(RestoreSpace.mib(1).equals("0.0 MiB") && RestoreSpace.mib(200 * 1024).equals("0.2 MiB"));
    }
}
