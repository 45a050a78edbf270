package dev.odooops.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An environment's {@code neutralization:} block (issue 14, sections 2 and 3): where a neutralised copy's mail goes and
 * what it is set to. Read once at start (a bad key fails the start naming its path); an environment without the block
 * gets {@link #defaults()}. Every key is optional:
 * <pre>
 * neutralization:
 *   mail_sink: {host: mailpit.internal, port: 1025}   # the one outgoing server a copy keeps (none: no active server)
 *   catchall_domain: staging.example.com              # mail.catchall.domain on the copy
 *   default_from: odoo@staging.example.com            # mail.default.from on the copy
 *   base_url: https://staging.example.com             # web.base.url on the copy (frozen)
 *   admin_password: ${secret:staging_admin}           # the admin user's new password (a reference, never a literal)
 *   cron_allow: [base.autovacuum_job]                 # external ids of the crons left active
 *   config_parameters: [my_module.api_key]            # more ir_config_parameter keys to delete
 *   rules: neutralization-rules.yaml                  # a rules file replacing the built-in one (relative: to this file)
 *   odoo_bin: [/opt/odoo/odoo-bin, -c, /etc/odoo/staging.conf]   # then also: odoo-bin neutralize -d DB
 * </pre>
 */
public record NeutralizationSettings(String sinkHost, Integer sinkPort, String catchallDomain, String defaultFrom,
                                     String baseUrl, Secret adminPassword, List<String> cronAllow,
                                     List<String> configParameters, Path rules, List<String> odooBin) {
    public static final String KEY = "neutralization";
    public static final List<String> DEFAULT_CRON_ALLOW = List.of("base.autovacuum_job");

    public NeutralizationSettings {
        cronAllow = List.copyOf(cronAllow);
        configParameters = List.copyOf(configParameters);
        odooBin = List.copyOf(odooBin);
    }

    /** What an environment without a {@code neutralization:} block gets. */
    public static NeutralizationSettings defaults() {
        return new NeutralizationSettings(null, null, null, null, null, null, DEFAULT_CRON_ALLOW, List.of(), null, List.of());
    }

    /** The same settings with {@code base_url} replaced (a PR environment's own URL). */
    public NeutralizationSettings withBaseUrl(String url) {
        return new NeutralizationSettings(sinkHost, sinkPort, catchallDomain, defaultFrom, url, adminPassword, cronAllow,
                configParameters, rules, odooBin);
    }

    public boolean hasSink() {
        return sinkHost != null;
    }

    /** Every environment's settings by id ({@code P/E}), validated; environments without the block included. */
    public static Map<String, NeutralizationSettings> of(OpsConfig config) {
        Map<String, NeutralizationSettings> out = new LinkedHashMap<>();
        for (EnvironmentConfig e : config.environments()) {
            out.put(e.id(), config.section(e.id(), KEY).map(n -> read(n, config.file())).orElse(defaults()));
        }
        return Map.copyOf(out);
    }

    static NeutralizationSettings read(ConfigNode n, String file) {
        if (!n.isMapping()) throw n.error(n.path(), "a mapping of neutralization keys", null);
        n.only("mail_sink", "catchall_domain", "default_from", "base_url", "admin_password", "cron_allow",
                "config_parameters", "rules", "odoo_bin");
        String host = null;
        Integer port = null;
        if (n.has("mail_sink")) {
            ConfigNode sink = n.object("mail_sink").only("host", "port");
            host = sink.string("host");
            if (!host.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) throw sink.error(sink.child("host").path(), "a host name or address", host);
            if (!sink.has("port")) throw sink.error(sink.child("port").path(), "a port number", null);
            port = sink.integer("port", 0, 1, 65535);
        }
        String baseUrl = n.string("base_url", null);
        if (baseUrl != null && !baseUrl.matches("https?://[^/\\s]+(/\\S*)?")) {
            throw n.error(n.child("base_url").path(), "an http(s) URL", baseUrl);
        }
        String from = n.string("default_from", null);
        if (from != null && !from.contains("@")) throw n.error(n.child("default_from").path(), "an email address", from);
        List<String> allow = n.has("cron_allow") ? n.strings("cron_allow") : DEFAULT_CRON_ALLOW;
        for (String id : allow) {
            if (!id.matches("[A-Za-z0-9_]+\\.[A-Za-z0-9_.]+")) throw n.error(n.child("cron_allow").path(), "external ids module.name", id);
        }
        Path rules = null;
        if (n.has("rules")) {
            Path base = file == null ? Path.of("") : Path.of(file).toAbsolutePath().getParent();
            rules = base.resolve(n.string("rules")).normalize();
            if (!java.nio.file.Files.isRegularFile(rules)) throw n.error(n.child("rules").path(), "an existing rules file", rules);
        }
        List<String> odooBin = n.strings("odoo_bin");
        return new NeutralizationSettings(host, port, n.string("catchall_domain", null), from, baseUrl,
                n.secret("admin_password", false), allow, n.strings("config_parameters"), rules, odooBin);
    }
}
