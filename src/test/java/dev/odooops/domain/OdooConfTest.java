package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13 A15: odoo.conf is read as Odoo reads it, with Python's configparser (RawConfigParser, as Odoo's
 * tools/config.py): each file here is read by {@link OdooConf} and by {@code python3 -c 'import configparser…'}, and
 * both must find the same sections, keys and values.
 */
@Tag("fast")
class OdooConfTest {
    /** Prints {section: {key: value}} as configparser reads the file (items() includes [DEFAULT]'s values). */
    private static final String PYTHON = String.join("\n",
            "import configparser, json, sys",
            "p = configparser.RawConfigParser()",
            "p.read(sys.argv[1], encoding='utf-8')",
            "print(json.dumps({s: dict(p.items(s)) for s in p.sections()}))");

    @TempDir
    Path dir;

    private static final Map<String, String> FILES = Map.of(
            "continued_addons_path", String.join("\n",
                    "[options]",
                    "addons_path = /opt/odoo/addons,",
                    "    /opt/odoo/odoo/addons,",
                    "",
                    "    # the customer's modules",
                    "    /srv/custom/addons",
                    "admin_passwd = s3cr3t",
                    "db_name = acme",
                    ""),
            "colon_and_equals", String.join("\n",
                    "[options]",
                    "db_password: pa=ss:word",
                    "dbfilter = ^acme$ ; not a comment",
                    "logfile:/var/log/odoo/odoo.log",
                    "Server_Wide_Modules = base,web",
                    "proxy_mode=True",
                    "   ; an indented comment",
                    "limit_time_real = 120   ",
                    "email_from = %(db_name)s@example.com",
                    ""),
            "sections_and_default", String.join("\n",
                    "# odoo.conf",
                    "[DEFAULT]",
                    "data_dir = /var/lib/odoo",
                    "",
                    "[options]",
                    "http_port = 8069",
                    "data_dir = /srv/odoo-data",
                    "",
                    "",
                    "[queue_job]",
                    "channels = root:2,",
                    "\troot.mail:1",
                    "",
                    "[ spaced ]",
                    "key =",
                    "other = x",
                    ""),
            "blank_lines_in_value", String.join("\n",
                    "[options]",
                    "without_demo = all",
                    "addons_path = /a,",
                    "",
                    "",
                    "   /b",
                    "",
                    "",
                    "db_host = False",
                    ""));

    private static Map<String, Object> python(Path file) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", PYTHON, file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "python3's configparser: " + out);
        return Json.readMap(out.strip());
    }

    @Test
    void should_read_every_file_as_pythons_configparser_does() throws Exception {
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            Path file = dir.resolve(f.getKey() + ".conf");
            Files.writeString(file, f.getValue());
            OdooConf conf = OdooConf.read(file);
            assertEquals(python(file), conf.sections(), f.getKey());
            assertEquals(List.of(), conf.problems(), f.getKey());
        }
    }

    @Test
    void should_keep_every_path_of_a_continued_addons_path() throws Exception {
        Path file = dir.resolve("odoo.conf");
        Files.writeString(file, FILES.get("continued_addons_path"));
        assertEquals(List.of("/opt/odoo/addons", "/opt/odoo/odoo/addons", "/srv/custom/addons"), OdooConf.read(file).addonsPaths());
        assertEquals("s3cr3t", OdooConf.read(file).option("admin_passwd"), "the next option is not swallowed");
    }

    @Test
    void should_split_at_the_first_delimiter_whichever_it_is() {
        OdooConf conf = OdooConf.parse(FILES.get("colon_and_equals").lines().toList());
        assertEquals("pa=ss:word", conf.option("db_password"));
        assertEquals("/var/log/odoo/odoo.log", conf.option("logfile"));
        assertEquals("base,web", conf.option("server_wide_modules"), "keys are lower-cased");
        assertEquals("^acme$ ; not a comment", conf.option("dbfilter"));
    }

    @Test
    void should_list_what_configparser_refuses() {
        OdooConf conf = OdooConf.parse(List.of("db_name = x", "[options]", "db_name = a", "just words", "DB_NAME = b"));
        assertEquals(3, conf.problems().size(), conf.problems().toString());
        assertTrue(conf.problems().get(0).startsWith("line 1: no [section]"), conf.problems().toString());
        assertTrue(conf.problems().get(1).startsWith("line 4:"), conf.problems().toString());
        assertTrue(conf.problems().get(2).contains("'db_name' already set"), conf.problems().toString());
    }
}
