package dev.odooops.odoo;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.Json;
import dev.odooops.domain.PhpConf;
import dev.odooops.domain.VersionGuard;
import dev.odooops.exec.ToolResult;
import dev.odooops.exec.ToolRunner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns which version of the application the target server runs, touching nothing:
 * <ul>
 *   <li>Odoo, with {@code odoo.version_command}: runs it (e.g. {@code [/opt/odoo/odoo-bin, --version]}, which prints
 *       {@code Odoo Server 17.0}) and reads the series from its output;</li>
 *   <li>Odoo, otherwise, with {@code odoo.health_url}: asks the running server, at the same scheme, host and port,
 *       {@code POST /web/webclient/version_info} (JSON-RPC, body {@code {"jsonrpc":"2.0","method":"call","params":{}}}),
 *       whose {@code result} is Odoo's {@code exp_version()}: {@code server_serie}, else {@code server_version};</li>
 *   <li>Dolibarr: the {@code DOL_VERSION} define of {@code filefunc.inc.php} in the installed code's document root
 *       ({@code $dolibarr_main_document_root} of conf.php, else the directory above {@code conf/}).</li>
 * </ul>
 * Nothing configured, a failing command, a server that does not answer: the version is unknown, with the reason.
 */
public class ServerVersions {
    public static final String VERSION_INFO_PATH = "/web/webclient/version_info";
    static final String VERSION_INFO_BODY = "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{}}";
    private static final Pattern DOL_VERSION = Pattern.compile(
            "define\\(\\s*['\"]DOL_VERSION['\"]\\s*,\\s*['\"]([^'\"]+)['\"]\\s*\\)");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private final ToolRunner tools;
    /** Made on first use (see OdooController): most commands never call Odoo over HTTP. */
    private HttpClient http;

    private synchronized HttpClient http() {
        if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http;
    }

    public ServerVersions(ToolRunner tools) {
        this.tools = tools;
    }

    /** The version learned, or the reason it is unknown (exactly one of them is set). */
    public record Learned(VersionGuard.Target target, String unknownReason) {
    }

    public Learned learn(EnvironmentConfig env) {
        try {
            if (env.app() == AppProfile.DOLIBARR) return dolibarr(env);
            List<String> command = env.control().versionCommand();
            if (command != null && !command.isEmpty()) return command(command, "odoo.version_command");
            URI health = env.control().healthUrl();
            if (health != null) return versionInfo(health.resolve(VERSION_INFO_PATH));
            return unknown("neither odoo.version_command nor odoo.health_url is configured");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unknown("interrupted");
        } catch (RuntimeException | IOException e) {
            return unknown(e.getMessage());
        }
    }

    private Learned command(List<String> argv, String key) {
        ToolResult r = tools.runCommand(argv, COMMAND_TIMEOUT);
        String out = r.stdout().isBlank() ? r.stderr() : r.stdout();
        String line = out.strip().lines().findFirst().orElse("");
        return found(line, VersionGuard.series(line), key + " " + argv.get(0));
    }

    private Learned versionInfo(URI url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(VERSION_INFO_BODY)).build();
        HttpResponse<String> response;
        try {
            response = http().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return unknown("the server at " + url + " does not answer: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        if (response.statusCode() != 200) return unknown(url + " answered HTTP " + response.statusCode());
        Map<String, Object> body;
        try {
            body = Json.readMap(response.body());
        } catch (RuntimeException e) {
            return unknown(url + " answered something other than JSON-RPC");
        }
        if (!(body.get("result") instanceof Map<?, ?> result)) {
            return unknown(url + " answered no result" + (body.get("error") == null ? "" : " but an error"));
        }
        String version = result.get("server_version") instanceof String v ? v : null;
        String serie = result.get("server_serie") instanceof String s ? s : null;
        String series = VersionGuard.series(serie != null ? serie : version);
        return found(version != null ? version : String.valueOf(serie), series, "version_info of " + url);
    }

    private static Learned dolibarr(EnvironmentConfig env) throws IOException {
        Path root = null;
        if (Files.isRegularFile(env.appConf())) {
            String configured = PhpConf.read(env.appConf()).get("dolibarr_main_document_root");
            if (configured != null && !configured.isBlank()) root = Path.of(configured);
        }
        if (root == null) root = env.appConf().toAbsolutePath().getParent().getParent();
        Path file = root.resolve("filefunc.inc.php");
        if (!Files.isRegularFile(file)) return unknown(file + " (the installed code's DOL_VERSION) does not exist");
        Matcher m = DOL_VERSION.matcher(Files.readString(file, StandardCharsets.ISO_8859_1));
        if (!m.find()) return unknown(file + " defines no DOL_VERSION");
        return found(m.group(1), VersionGuard.series(m.group(1)), "DOL_VERSION of " + file);
    }

    private static Learned found(String version, String series, String source) {
        if (series == null) return unknown(source + " gave no version: '" + abbreviate(version) + "'");
        return new Learned(new VersionGuard.Target(version.strip(), series, source), null);
    }

    private static Learned unknown(String reason) {
        return new Learned(null, reason);
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
