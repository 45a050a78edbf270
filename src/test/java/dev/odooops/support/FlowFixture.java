package dev.odooops.support;

import dev.odooops.OpsRuntime;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;

import java.sql.Connection;
import java.sql.DriverManager;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The restore flow tests' set-up: a {@link TestEnvironment}, usually with an {@link OdooStandIn} as its Odoo, an
 * {@link OpsRuntime} on it in this JVM, and the calls they all make (a backup that must succeed, a restore by the
 * operator with the production confirmation, a statement against the environment's database). Closing it closes all.
 */
public final class FlowFixture implements AutoCloseable {
    public final TestEnvironment env;
    /** The environment's Odoo, or null when it has none (its version from a version_command, say). */
    public final OdooStandIn odoo;
    private OpsRuntime runtime;

    private FlowFixture(TestEnvironment env, OdooStandIn odoo) {
        this.env = env;
        this.odoo = odoo;
    }

    /** A new environment named {@code name} (see {@link TestEnvironment#create}) with the stand-in. */
    public static FlowFixture standIn(String name) throws Exception {
        return standIn(TestEnvironment.create(name));
    }

    /** On an environment the caller made (its type, its properties): adds the stand-in and starts a runtime. */
    public static FlowFixture standIn(TestEnvironment env) throws Exception {
        OdooStandIn odoo = null;
        try {
            odoo = new OdooStandIn(env.root.resolve("odoo.log"));
            env.withOdoo(odoo);
            FlowFixture fx = new FlowFixture(env, odoo);
            fx.runtime = env.runtime();
            return fx;
        } catch (Exception | Error e) {
            if (odoo != null) odoo.close();
            env.close();
            throw e;
        }
    }

    /** On an environment the caller made, without a stand-in: starts a runtime. */
    public static FlowFixture of(TestEnvironment env) throws Exception {
        try {
            FlowFixture fx = new FlowFixture(env, null);
            fx.runtime = env.runtime();
            return fx;
        } catch (Exception | Error e) {
            env.close();
            throw e;
        }
    }

    public OpsRuntime runtime() {
        return runtime;
    }

    /** A new runtime, as the next command is: it reads the configuration changed since. */
    public OpsRuntime restart() throws Exception {
        runtime.close();
        runtime = null;
        runtime = env.runtime();
        return runtime;
    }

    /** A new runtime in service mode (HTTP, JMS, inbox as the environment configures them), as {@code serve} is. */
    public OpsRuntime restartAsService() throws Exception {
        runtime.close();
        runtime = null;
        runtime = env.serviceRuntime();
        return runtime;
    }

    public BackupResult backup() {
        return backup(BackupType.FULL);
    }

    /** A backup by the operator that must succeed. */
    public BackupResult backup(BackupType type) {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", type, null, null, null, null,
                "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    /** A restore by the operator, verified, with rollback and the production confirmation. */
    public RestoreRequest restoreRequest(String artifact, BackupType type, RestoreRequest.Mode mode) {
        return new RestoreRequest(env.project, "prod", artifact, type, true, true, env.environmentId(), "operator", "test",
                mode);
    }

    public RestoreResult restore(String artifact, BackupType type, RestoreRequest.Mode mode) {
        return runtime.operations().restore(restoreRequest(artifact, type, mode));
    }

    /** Runs {@code statement} in the environment's database as the superuser (a DBA, or Odoo at work). */
    public void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute(statement);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (runtime != null) runtime.close();
        } finally {
            try {
                if (odoo != null) odoo.close();
            } finally {
                env.close();
            }
        }
    }
}
