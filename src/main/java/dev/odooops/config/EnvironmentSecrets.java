package dev.odooops.config;

import dev.odooops.domain.AppProfile;
import dev.odooops.domain.OdooConf;
import dev.odooops.domain.PhpConf;
import dev.odooops.domain.SecretRedactor;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The secret values of one environment that free text must never show: its database password and the values of
 * the secret-named options of its configuration file (odoo.conf's admin_passwd, smtp_password...; Dolibarr's
 * conf.php $dolibarr_main_db_pass, $dolibarr_main_dolcrypt_key (Dolibarr 20; older releases wrote $dolibarr_main_cookie_cryptkey), $dolibarr_main_instance_unique_id...), so a
 * tool's message or a log line that quotes one is scrubbed too. A file that cannot be read adds nothing (the
 * backup refuses it anyway). Placeholders such as {@code False} and values under 6 characters are not secrets.
 */
public final class EnvironmentSecrets {
    private static final Set<String> NOT_SECRET = Set.of("false", "true", "none", "null");

    private EnvironmentSecrets() {
    }

    public static List<String> of(EnvironmentConfig env) {
        List<String> out = new ArrayList<>();
        if (env.database().password() != null) out.add(env.database().password().reveal());
        try {
            if (env.appConf() != null && Files.isReadable(env.appConf())) {
                if (env.app() == AppProfile.DOLIBARR) add(PhpConf.read(env.appConf()), out);
                else OdooConf.read(env.appConf()).sections().values().forEach(kv -> add(kv, out));
            }
        } catch (RuntimeException unreadable) {
            // nothing more to add
        }
        return out;
    }

    private static void add(Map<String, String> options, List<String> out) {
        options.forEach((k, v) -> {
            if (v != null && SecretRedactor.isSecretKey(k) && v.strip().length() >= 6
                    && !NOT_SECRET.contains(v.strip().toLowerCase(java.util.Locale.ROOT))) {
                out.add(v.strip());
            }
        });
    }
}
