package dev.odooops.service;

import dev.odooops.config.ConfigException;
import dev.odooops.config.Settings;

/**
 * The settings of service mode ({@code odoo-ops serve}), from application.properties (docs/configuration.md):
 * the worker pool, the queue, the operations this instance runs, the shutdown grace period and the HTTP listener.
 */
public record ServiceSettings(int workers, int queueCapacity, int shutdownGraceSeconds, int pickupSeconds, String httpHost,
                              int httpPort,
                              int maxBodyBytes, int authFailuresPerMinute, java.nio.file.Path inboxDir,
                              int inboxMaxFileBytes, int inboxPollMillis, boolean jmsEnabled, String jmsBrokerUrl,
                              String jmsUser, String jmsPasswordEnv, int jmsEmbeddedPort, java.nio.file.Path jmsDataDir,
                              String jmsRequestQueue, dev.odooops.domain.TrustedProxies trustedProxies, String inboxUser,
                              int inboxMinAgeMillis, int jmsEmbeddedStompPort, int jmsEmbeddedAmqpPort,
                              dev.odooops.domain.RunOperations runOperations) {

    public static ServiceSettings of(Settings settings) {
        String file = settings.configDir().resolve("application.properties").toString();
        return new ServiceSettings(
                integer(settings, file, "service.workers", 2, 1, 64),
                integer(settings, file, "service.queue-capacity", 16, 0, 10000),
                integer(settings, file, "service.shutdown-grace-seconds", 300, 0, 86400),
                integer(settings, file, "service.pickup-seconds", 60, 1, 86400),
                settings.property("http.host", "127.0.0.1").trim(),
                integer(settings, file, "http.port", 8780, 0, 65535),
                integer(settings, file, "http.max-body-bytes", 65536, 256, 16 * 1024 * 1024),
                integer(settings, file, "http.auth-failures-per-minute", 30, 1, 100000),
                inboxDir(settings, file),
                integer(settings, file, "inbox.max-file-bytes", 65536, 16, 16 * 1024 * 1024),
                integer(settings, file, "inbox.poll-millis", 1000, 100, 3_600_000),
                bool(settings, file, "jms.enabled", true),
                blankToNull(settings.property("jms.broker-url", "")),
                blankToNull(settings.property("jms.user", "")),
                settings.property("jms.password-env", "ODOO_OPS_JMS_PASSWORD").trim(),
                integer(settings, file, "jms.embedded-port", 61616, 0, 65535),
                settings.home().resolve(settings.property("jms.embedded-data-dir", "/var/tmp/odoo-ops/artemis").trim()),
                queueName(settings, file),
                trustedProxies(settings, file),
                inboxUser(settings, file),
                integer(settings, file, "inbox.min-age-millis", 1000, 0, 600_000),
                stompPort(settings, file),
                amqpPort(settings, file),
                runOperations(settings, file));
    }

    /** {@code http.trusted-proxies}: addresses and CIDR ranges whose X-Forwarded-For names the client. */
    private static dev.odooops.domain.TrustedProxies trustedProxies(Settings settings, String file) {
        try {
            return dev.odooops.domain.TrustedProxies.parse(settings.property("http.trusted-proxies", ""));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": http.trusted-proxies: " + e.getMessage()
                    + " (expected a comma-separated list of IP addresses and CIDR ranges)");
        }
    }

    /** {@code service.run-operations}: the queued operations this instance runs ({@code *}, {@code drill}, {@code *,-drill}). */
    private static dev.odooops.domain.RunOperations runOperations(Settings settings, String file) {
        try {
            return dev.odooops.domain.RunOperations.parse(settings.property("service.run-operations", "*"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": service.run-operations: " + e.getMessage()
                    + " (expected '*', a comma list of operations such as 'drill', or '*' with exclusions such as '*,-drill')");
        }
    }

    /** {@code jms.embedded-stomp-port}: unset or empty, no STOMP acceptor ({@code -1}); else its port on 127.0.0.1. */
    private static int stompPort(Settings settings, String file) {
        if (settings.property("jms.embedded-stomp-port", "").isBlank()) return -1;
        return integer(settings, file, "jms.embedded-stomp-port", -1, 1, 65535);
    }

    /** {@code jms.embedded-amqp-port}: unset or empty, no AMQP 1.0 acceptor ({@code -1}); else its port on 127.0.0.1. */
    private static int amqpPort(Settings settings, String file) {
        if (settings.property("jms.embedded-amqp-port", "").isBlank()) return -1;
        return integer(settings, file, "jms.embedded-amqp-port", -1, 1, 65535);
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static boolean bool(Settings settings, String file, String key, boolean fallback) {
        String v = settings.property(key, "").trim();
        if (v.isEmpty()) return fallback;
        if (!v.equals("true") && !v.equals("false")) throw new ConfigException(file + ": " + key + ": expected true or false, got '" + v + "'");
        return Boolean.parseBoolean(v);
    }

    private static String queueName(Settings settings, String file) {
        String v = settings.property("jms.request-queue", "odoo-ops.requests").trim();
        if (!v.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new ConfigException(file + ": jms.request-queue: expected a queue name of letters, digits and ._-, got '" + v + "'");
        }
        return v;
    }

    /** {@code inbox.dir}: unset or empty, no inbox; else an absolute (or home-relative) normalised directory. */
    private static java.nio.file.Path inboxDir(Settings settings, String file) {
        String v = settings.property("inbox.dir", "");
        if (v.isBlank()) return null;
        java.nio.file.Path p = settings.home().resolve(v.trim());
        if (!p.normalize().equals(p) || p.getParent() == null) {
            throw new ConfigException(file + ": inbox.dir: expected a normalised directory other than /, got '" + v + "'");
        }
        return p;
    }

    /** {@code inbox.user}: the user inbox requests run as; default {@code ops.default-user}. */
    private static String inboxUser(Settings settings, String file) {
        String v = settings.property("inbox.user", "").trim();
        if (v.isEmpty()) return settings.ops().defaultUser();
        return v;
    }

    private static int integer(Settings settings, String file, String key, int fallback, int min, int max) {
        String v = settings.property(key, null);
        if (v == null || v.isBlank()) return fallback;
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(file + ": " + key + ": expected a whole number from " + min + " to " + max + ", got '" + v + "'");
        }
    }
}
