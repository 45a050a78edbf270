package dev.odooops.domain;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redacts secrets for evidence, logs and snapshots. A key is secret when its name speaks of a password,
 * secret, token or key (admin_passwd, db_password, smtp_password, api_key, Dolibarr's dolibarr_main_db_pass,
 * dolibarr_main_dolcrypt_key (Dolibarr 20), dolibarr_main_cookie_cryptkey (older releases) and
 * dolibarr_main_instance_unique_id, the salt of its tokens, ...); its value becomes
 * {@code [REDACTED]}. Known secret values, the whole user-info of every URL ({@code scheme://[REDACTED]@host},
 * whether it is {@code user:password}, {@code :password} or a bare token) and secret-named query parameters
 * are also scrubbed from free text (error messages, tool output, other configuration values). A value whose
 * key ends in {@code _url}/{@code _uri} may hold credentials even without a scheme ({@code :pw@host:6379}):
 * everything before its last {@code @} goes.
 */
public final class SecretRedactor {
    public static final String REDACTED = "[REDACTED]";
    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i).*(passw|passwd|secret|token|(^|[_.-])key($|[_.-])|(^|[_.-])pass($|[_.-])|apikey|api_key"
                    + "|credential|private|cryptkey|unique_id).*");
    private static final Pattern URL_KEY = Pattern.compile("(?i)(.*[_.-])?(url|uri|dsn)$");

    /**
     * The user-info of a URL: what lies between {@code ://} and the last {@code @} before the host ends (no
     * whitespace, {@code / ? #} or characters a URL cannot hold unencoded). An unencoded {@code @} in a password
     * ({@code redis://:p@ss@host}) is covered: the match runs to the last {@code @}.
     */
    private static final Pattern URL_USER_INFO = Pattern.compile("(://)[^\\s/?#\"'<>\\\\@]*(?:@[^\\s/?#\"'<>\\\\@]*)*@");
    /** {@code ?password=...}, {@code &X-Amz-Signature=...}, {@code ;token=...}: the value goes. */
    private static final Pattern SECRET_QUERY_PARAMETER = Pattern.compile(
            "(?i)([?&;][^=&;#\\s\"'<>]*(?:passw|secret|token|signature|credential|api_?key|access_?key)[^=&;#\\s\"'<>]*=)[^&;#\\s\"'<>]+");
    private final List<String> knownSecrets;

    public SecretRedactor(Collection<String> knownSecrets) {
        this.knownSecrets = knownSecrets.stream().filter(s -> s != null && s.length() >= 3).toList();
    }

    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /** A key such as {@code session_redis_url}, {@code db_uri} or {@code sentry_dsn}: its value may carry credentials. */
    public static boolean isUrlKey(String key) {
        return URL_KEY.matcher(key).matches();
    }

    /** A copy of the map with every secret-named key's value redacted (nested maps too). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> redactMap(Map<String, ?> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (isSecretKey(k) && v != null && !(v instanceof Map)) out.put(k, REDACTED);
            else if (v instanceof Map<?, ?> m) out.put(k, redactMap((Map<String, ?>) m));
            else if (v instanceof String s) out.put(k, redactValue(k, s));
            else out.put(k, v);
        });
        return out;
    }

    /** The value of a configuration key as it may be recorded: secret keys redacted, URL keys stripped of credentials. */
    public String redactValue(String key, String value) {
        if (value == null) return null;
        if (isSecretKey(key)) return REDACTED;
        String out = scrub(value);
        if (isUrlKey(key) && !out.contains("://")) {
            int at = out.lastIndexOf('@');
            if (at >= 0) out = REDACTED + out.substring(at);
        }
        return out;
    }

    /** Free text with every known secret value, every URL's user-info and secret query parameters replaced. */
    public String scrub(String text) {
        if (text == null) return null;
        String out = URL_USER_INFO.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(REDACTED) + "@");
        out = SECRET_QUERY_PARAMETER.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(REDACTED));
        for (String s : knownSecrets) out = out.replace(s, REDACTED);
        return out;
    }
}
