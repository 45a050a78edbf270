package dev.odooops.cli;

import picocli.CommandLine;

/**
 * {@code odoo-ops --version}: the version the jar's manifest carries ({@code Implementation-Version}, the Maven
 * project version the build writes), so the installed program says which build it is (the Debian package's version
 * is the same with {@code ~} for {@code -}).
 */
public final class VersionInfo implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VersionInfo.class.getPackage().getImplementationVersion();
        return new String[]{"odoo-ops " + (version == null ? "(development classes, no jar manifest)" : version)};
    }
}
