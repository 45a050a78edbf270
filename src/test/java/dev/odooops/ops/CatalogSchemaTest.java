package dev.odooops.ops;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which commands may use the catalog, from its schema version against this odoo-ops's. */
@Tag("fast")
class CatalogSchemaTest {
    @Test
    void should_create_a_new_catalog_and_use_a_current_one() {
        CatalogSchema fresh = new CatalogSchema(null, "15", 15, 0);
        assertEquals(CatalogSchema.Verdict.CREATE, fresh.verdict());
        assertTrue(fresh.refusalForCommand().isEmpty());
        CatalogSchema current = new CatalogSchema("15", "15", 0, 0);
        assertEquals(CatalogSchema.Verdict.USE, current.verdict());
        assertTrue(current.refusalForCommand().isEmpty() && current.refusalForMigrate().isEmpty());
    }

    @Test
    void should_refuse_an_older_catalog_naming_migrate_except_to_migrate() {
        CatalogSchema older = new CatalogSchema("14", "15", 1, 0);
        assertEquals(CatalogSchema.Verdict.MIGRATE_FIRST, older.verdict());
        String why = older.refusalForCommand().orElseThrow();
        assertTrue(why.contains("version 14") && why.contains("15") && why.contains("`odoo-ops migrate`"), why);
        assertTrue(older.refusalForMigrate().isEmpty());
    }

    @Test
    void should_refuse_a_newer_catalog_to_every_command_naming_both_versions() {
        CatalogSchema newer = new CatalogSchema("16", "15", 0, 1);
        assertEquals(CatalogSchema.Verdict.TOO_NEW, newer.verdict());
        for (String why : new String[] {newer.refusalForCommand().orElseThrow(), newer.refusalForMigrate().orElseThrow()}) {
            assertTrue(why.contains("version 16") && why.contains("(15)"), why);
        }
        // a newer catalog that also lacks one of ours (another branch's numbering) is still refused as newer
        assertEquals(CatalogSchema.Verdict.TOO_NEW, new CatalogSchema("17", "15", 1, 2).verdict());
    }
}
