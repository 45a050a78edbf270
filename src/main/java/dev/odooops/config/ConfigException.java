package dev.odooops.config;

/** Invalid configuration: the message names the file, the key and what was expected. */
public class ConfigException extends RuntimeException {
    public ConfigException(String file, String key, String expected, Object got) {
        super(file + ": " + key + ": expected " + expected + (got == null ? " (missing)" : ", got '" + got + "'"));
    }

    public ConfigException(String message) {
        super(message);
    }
}
