package dev.odooops.domain;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Redacts secrets for evidence, logs and snapshots. A key is secret when its name speaks of a password,
 * secret, token or key (admin_passwd, db_password, smtp_password, api_key, ...); its value becomes
 * {@code [REDACTED]}. Known secret values, and passwords inside URLs, are also scrubbed from free text
 * (error messages, tool output, other configuration values).
 */
public final class SecretRedactor {
    public static final String REDACTED = "[REDACTED]";
    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i).*(passw|passwd|secret|token|(^|[_.-])key($|[_.-])|apikey|api_key|credential|private).*");

    /** user:password@ in a URL (postgres://, https://, redis:// ...): the password part goes. */
    private static final Pattern URL_CREDENTIALS = Pattern.compile("(://[^:/@\\s]+:)[^@\\s/]+@");
    private final List<String> knownSecrets;

    public SecretRedactor(Collection<String> knownSecrets) {
        this.knownSecrets = knownSecrets.stream().filter(s -> s != null && s.length() >= 3).toList();
    }

    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /** A copy of the map with every secret-named key's value redacted (nested maps too). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> redactMap(Map<String, ?> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (isSecretKey(k) && v != null && !(v instanceof Map)) out.put(k, REDACTED);
            else if (v instanceof Map<?, ?> m) out.put(k, redactMap((Map<String, ?>) m));
            else if (v instanceof String s) out.put(k, scrub(s));
            else out.put(k, v);
        });
        return out;
    }

    /** Free text with every known secret value, and every password inside a URL, replaced. */
    public String scrub(String text) {
        if (text == null) return null;
        String out = URL_CREDENTIALS.matcher(text).replaceAll("$1" + java.util.regex.Matcher.quoteReplacement(REDACTED) + "@");
        for (String s : knownSecrets) out = out.replace(s, REDACTED);
        return out;
    }
}
