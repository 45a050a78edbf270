package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class HarmlessStatementsTest {
    private record Run(String out, String setAside, HarmlessStatements.Outcome outcome) {
    }

    private static Run filter(String dump) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream aside = new ByteArrayOutputStream();
        HarmlessStatements.Outcome o = HarmlessStatements.filter(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)),
                out, aside, Set.of("plpgsql"));
        return new Run(out.toString(StandardCharsets.UTF_8), aside.toString(StandardCharsets.UTF_8), o);
    }

    @Test
    void should_set_aside_ownership_grants_extension_comments_and_existing_extensions_keeping_line_numbers() throws Exception {
        String dump = String.join("\n",
                "\\restrict abc",
                "SET transaction_timeout = 0;",
                "CREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog;",
                "COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';",
                "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;",
                "CREATE TABLE public.res_partner (",
                "    id integer NOT NULL,",
                "    name character varying",
                ");",
                "ALTER TABLE public.res_partner OWNER TO odoo_sh_role;",
                "REVOKE USAGE ON SCHEMA public FROM PUBLIC;",
                "GRANT ALL ON SCHEMA public TO PUBLIC;",
                "\\unrestrict abc",
                "ALTER SCHEMA x OWNER TO y;",
                "") + "\n";
        Run r = filter(dump);
        assertEquals(dump.split("\n", -1).length, r.out().split("\n", -1).length, "line numbers kept");
        assertEquals(7, r.outcome().setAside(), r.outcome().toString());
        assertEquals(2L, r.outcome().byKind().get("owner"));
        assertEquals(1L, r.outcome().byKind().get("grant"));
        assertEquals(1L, r.outcome().byKind().get("revoke"));
        assertEquals(1L, r.outcome().byKind().get("comment_on_extension"));
        assertEquals(1L, r.outcome().byKind().get("create_existing_extension"));
        assertTrue(r.out().contains("CREATE EXTENSION IF NOT EXISTS pg_trgm"), "an extension the server lacks stays");
        assertTrue(r.out().contains("CREATE TABLE public.res_partner ("));
        assertTrue(r.setAside().contains("-- line 10 (owner)\nALTER TABLE public.res_partner OWNER TO odoo_sh_role;"), r.setAside());
        assertEquals(10, r.outcome().first().stream().filter(s -> s.kind().equals("owner")).findFirst().orElseThrow().line());
    }

    @Test
    void should_never_touch_copy_data_or_function_bodies() throws Exception {
        String dump = String.join("\n",
                "COPY public.mail_message (id, body) FROM stdin;",
                "1\tGRANT ALL ON x TO y;",
                "\\.",
                "CREATE FUNCTION public.f() RETURNS void",
                "    LANGUAGE plpgsql",
                "    AS $$",
                "BEGIN",
                "GRANT ALL ON TABLE t TO someone;",
                "END;",
                "$$;",
                "GRANT SELECT ON TABLE t TO reader;",
                "");
        Run r = filter(dump);
        assertEquals(1, r.outcome().setAside(), r.outcome().toString());
        assertEquals(11, r.outcome().first().get(0).line());
        assertTrue(r.out().contains("1\tGRANT ALL ON x TO y;"));
        assertTrue(r.out().contains("GRANT ALL ON TABLE t TO someone;"));
    }

    @Test
    void should_pass_a_line_longer_than_the_buffer_through_unchanged() throws Exception {
        String big = "x".repeat(HarmlessStatements.MAX_LINE * 2 + 17);
        String dump = "COPY public.t (v) FROM stdin;\n" + big + "\n\\.\nALTER TABLE public.t OWNER TO other;\nselect 1;\n";
        Run r = filter(dump);
        assertEquals(1, r.outcome().setAside());
        assertTrue(r.out().contains(big));
        assertTrue(r.out().endsWith("select 1;\n"));
    }
}
