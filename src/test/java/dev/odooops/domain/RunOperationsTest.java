package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** service.run-operations (issue 16): every operation, a drill host, production hosts that leave drills to it. */
@Tag("fast")
class RunOperationsTest {
    @Test
    void should_run_everything_by_default() {
        for (String v : new String[]{null, "", " ", "*"}) {
            RunOperations r = RunOperations.parse(v);
            assertTrue(r.everything() && r.runs("backup") && r.runs("drill") && r.runs("snapshot"), String.valueOf(v));
        }
    }

    @Test
    void should_run_only_the_listed_operations_on_a_drill_host() {
        RunOperations drillHost = RunOperations.parse("drill");
        assertTrue(drillHost.runs("drill"));
        assertFalse(drillHost.runs("backup") || drillHost.runs("restore") || drillHost.everything());
        RunOperations two = RunOperations.parse(" drill , snapshot ");
        assertTrue(two.runs("drill") && two.runs("snapshot") && !two.runs("backup"));
    }

    @Test
    void should_run_all_but_the_excluded_ones() {
        RunOperations production = RunOperations.parse("*,-drill");
        assertTrue(production.runs("backup") && production.runs("restore"));
        assertFalse(production.runs("drill") || production.everything());
        assertTrue(production.toString().equals("*,-drill"));
    }

    @Test
    void should_refuse_what_it_cannot_read_saying_why() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunOperations.parse("-drill")).getMessage().contains("'*'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunOperations.parse("drill,,backup")).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunOperations.parse("Drill!")).getMessage().contains("not an operation name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunOperations.parse("*,backup")).getMessage().contains("already runs"));
    }
}
