package dev.odooops.config;

import dev.odooops.domain.AnonymizationRules;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The anonymisation rules of each project's sanitised snapshots: the project key {@code anonymization: {rules: PATH}}
 * of the environments file (a YAML rules file, relative to the environments file's directory) or, without it, Odoo's
 * defaults ({@link AnonymizationRules#defaults()}). Read and loaded when odoo-ops starts, so a missing or unreadable
 * rules file, or an unknown key, fails at start naming the key's path.
 */
public final class AnonymizationSettings {
    /** One project's rules and where they came from ({@code file} null: the built-in defaults). */
    public record ProjectRules(AnonymizationRules rules, Path file) {
        public String source() {
            return file == null ? "defaults" : file.toString();
        }
    }

    private final Map<String, ProjectRules> byProject;

    private AnonymizationSettings(Map<String, ProjectRules> byProject) {
        this.byProject = Map.copyOf(byProject);
    }

    /** Reads every project's {@code anonymization} key of {@code config}. */
    public static AnonymizationSettings of(OpsConfig config) {
        Map<String, ProjectRules> out = new LinkedHashMap<>();
        for (EnvironmentConfig env : config.environments()) {
            if (out.containsKey(env.project())) continue;
            out.put(env.project(), config.section(env.project(), "anonymization").map(AnonymizationSettings::read)
                    .orElseGet(() -> new ProjectRules(AnonymizationRules.defaults(), null)));
        }
        return new AnonymizationSettings(out);
    }

    private static ProjectRules read(ConfigNode node) {
        node.only("rules");
        if (!node.has("rules")) return new ProjectRules(AnonymizationRules.defaults(), null);
        String raw = node.string("rules");
        Path base = node.file() == null ? Path.of("") : Path.of(node.file()).toAbsolutePath().getParent();
        Path file = base.resolve(raw).normalize();
        String key = node.path().isEmpty() ? "rules" : node.path() + ".rules";
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(node.file(), key, "a readable rules file (YAML, relative to the environments file)", file);
        }
        try {
            return new ProjectRules(AnonymizationRules.load(file), file);
        } catch (RuntimeException e) {
            throw new ConfigException(node.file() + ": " + key + ": " + file + ": " + e.getMessage());
        }
    }

    /** The rules of {@code project} (the defaults for a project this configuration does not know). */
    public ProjectRules of(String project) {
        return byProject.getOrDefault(project, new ProjectRules(AnonymizationRules.defaults(), null));
    }
}
