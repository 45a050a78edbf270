package dev.odooops;

import dev.odooops.backup.ApplyRetention;
import dev.odooops.backup.ArchiveFilestore;
import dev.odooops.backup.CheckUnchanged;
import dev.odooops.backup.BackupFailureHandler;
import dev.odooops.backup.BackupPreconditions;
import dev.odooops.backup.DumpAndArchive;
import dev.odooops.backup.DumpDatabase;
import dev.odooops.backup.FinalizeBackup;
import dev.odooops.backup.QuiesceOdoo;
import dev.odooops.backup.ResolveBindings;
import dev.odooops.backup.SnapshotConfig;
import dev.odooops.backup.UploadArtifact;
import dev.odooops.odoo.EnvironmentValidator;
import dev.odooops.odoo.OdooController;
import dev.odooops.odoo.OdooLifecycle;
import dev.odooops.odoo.ServerVersions;
import dev.odooops.restore.CompareConfig;
import dev.odooops.restore.CreateRestoreRun;
import dev.odooops.restore.FinalizeRestore;
import dev.odooops.restore.QuiesceForRestore;
import dev.odooops.restore.RestartOdoo;
import dev.odooops.restore.RestoreDatabase;
import dev.odooops.restore.RestoreFailureHandler;
import dev.odooops.restore.RestoreFilestore;
import dev.odooops.restore.RestorePreflight;
import dev.odooops.restore.RestoreRecovery;
import dev.odooops.restore.RollbackRestore;
import dev.odooops.restore.SafetyBackup;
import dev.odooops.restore.ValidateRestore;
import dev.odooops.restore.VerifyRestoreArtifact;
import dev.odooops.run.CrashPointStrategy;
import dev.odooops.exec.CrashPoints;
import dev.odooops.run.CreateRun;
import dev.odooops.run.RecoverEnvironment;
import dev.odooops.run.RunStarter;

import dev.odooops.app.ArtifactOperations;
import dev.odooops.app.EnvironmentCheck;
import dev.odooops.app.EnvironmentLookup;
import dev.odooops.app.Operations;
import dev.odooops.app.RecoverOperation;
import dev.odooops.app.RunViews;
import dev.odooops.app.RetentionView;
import dev.odooops.domain.GenerationCache;
import dev.odooops.ops.RunChanges;
import dev.odooops.config.EnvironmentsLoader;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.RetentionPlanner;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ChildEnvironment;
import dev.odooops.exec.ToolRunner;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.ops.OpsDatabase;
import dev.odooops.run.StepJournal;
import dev.odooops.service.ApiTokens;
import dev.odooops.service.HttpApi;
import dev.odooops.service.Inbox;
import dev.odooops.service.JmsChannel;
import dev.odooops.service.Observability;
import dev.odooops.service.RunQueue;
import dev.odooops.service.Schedules;
import dev.odooops.service.ServiceSettings;
import dev.odooops.store.ArtifactRemover;
import dev.odooops.store.ArtifactStore;
import dev.odooops.store.ArtifactVerifier;
import dev.odooops.store.LocalArtifactStore;
import dev.odooops.store.S3ArtifactStore;
import dev.odooops.store.StoreLocator;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.Registry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One running odoo-ops: validated configuration, the ops catalog at this version, and a started Camel context
 * (camel-main) with the routes of {@code routes/} and the step beans bound by name (the names the route
 * files use). The step package is imported whole: this class wires every bean of it.
 */
public final class OpsRuntime implements AutoCloseable {
    private final Settings settings;
    private final OpsConfig config;
    private final OpsDatabase database;
    private final OpsCatalog catalog;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OpsRuntime.class);
    private final Main main;
    private ArtifactStore store;
    private StoreLocator stores;
    private dev.odooops.store.ArtifactCipher cipher;
    private ProducerTemplate template;
    private ToolRunner toolRunner;
    private Operations operations;
    private ServiceSettings serviceSettings;
    /** evidence.*: validated at start in every mode (a bad key fails the command naming it). */
    private dev.odooops.config.EvidenceSettings evidenceSettings;
    private RunQueue runQueue;
    private ApiTokens apiTokens;
    private Schedules schedules;
    private Inbox inbox;
    private RunChanges runChanges;
    private JmsChannel jms;
    private Observability observability;
    private dev.odooops.config.PrEnvironmentsSettings prSettings;
    private dev.odooops.staging.PrEnvironmentOperations prOperations;
    private dev.odooops.service.PrEnvironmentExpiry prExpiry;
    private final Function<String, String> env;
    /** The route file of the route configurations (reject-to-caller, backup-errors ...): every scope loads it. */
    static final String ERROR_HANDLING = "error-handling.camel.yaml";
    /** The entry routes this process starts, or every one. */
    private Scope scope = Scope.ALL;
    /** The run starts' sweep of abandoned drills (also the drill's own, at its take-lease). */
    private dev.odooops.drill.DrillSweep drillSweep;

    /**
     * What a command needs of the routes: all of them (every command that runs an operation, and serve), or only
     * the named entry routes, each of which calls no other route (the read-only views {@code artifacts}, {@code runs},
     * {@code run}): camel-main's route filter ({@code routeFilterIncludePattern}) then adds only those, so the process
     * answers at once. Route configurations ({@code reject-to-caller}) are loaded either way.
     */
    public record Scope(List<String> routes, List<String> files) {
        public static final Scope ALL = new Scope(List.of(), List.of());

        public Scope {
            routes = List.copyOf(routes);
            files = List.copyOf(files);
        }

        /**
         * Only {@code routeIds}, read from the route files {@code files} of routes/ (with error-handling.camel.yaml,
         * where the route configurations are): the other files are not even parsed.
         */
        public static Scope only(List<String> files, String... routeIds) {
            List<String> all = new ArrayList<>(files);
            if (!all.contains(ERROR_HANDLING)) all.add(ERROR_HANDLING);
            return new Scope(List.of(routeIds), all);
        }

        public boolean all() {
            return routes.isEmpty();
        }

        /** Whether this scope loads the route file {@code file} of routes/ (every scope loads every file of ALL). */
        public boolean loads(String file) {
            return all() || files.contains(file);
        }
    }

    private OpsRuntime(Settings settings, OpsConfig config, OpsDatabase database, Function<String, String> env) {
        this.settings = settings;
        this.config = config;
        this.database = database;
        this.env = env;
        this.catalog = new OpsCatalog(database.dataSource());
        this.main = new Main();
    }

    public static OpsRuntime start(Path home, Path configDir, Function<String, String> env, Clock clock) throws Exception {
        return start(home, configDir, env, clock, false);
    }

    /** A command line's runtime with only the routes of {@code scope} started (see {@link Scope}). */
    public static OpsRuntime start(Path home, Path configDir, Function<String, String> env, Clock clock, Scope scope)
            throws Exception {
        return start(Settings.load(home, configDir, env), env, clock, false, scope);
    }

    /**
     * Service mode ({@code odoo-ops serve}): the same runtime plus the worker queue, the HTTP API on the embedded
     * server (routes/service/) and its bearer tokens.
     */
    public static OpsRuntime startService(Path home, Path configDir, Function<String, String> env, Clock clock) throws Exception {
        return startService(home, configDir, env, clock, Map.of());
    }

    /** Service mode with {@code overrides} over application.properties (serve --port sets http.port). */
    public static OpsRuntime startService(Path home, Path configDir, Function<String, String> env, Clock clock,
                                          Map<String, String> overrides) throws Exception {
        return start(Settings.load(home, configDir, env, overrides), env, clock, true);
    }

    private static OpsRuntime start(Path home, Path configDir, Function<String, String> env, Clock clock, boolean service)
            throws Exception {
        return start(Settings.load(home, configDir, env), env, clock, service);
    }

    private static OpsRuntime start(Settings settings, Function<String, String> env, Clock clock, boolean service)
            throws Exception {
        return start(settings, env, clock, service, Scope.ALL);
    }

    private static OpsRuntime start(Settings settings, Function<String, String> env, Clock clock, boolean service,
                                    Scope scope) throws Exception {
        OpsConfig config = EnvironmentsLoader.load(settings.ops().environmentsFile(), settings.ops().secretsFile(), env);
        // pull-request environments: their template validated at start; P/pr-<N> found from it and the catalog
        dev.odooops.config.PrEnvironmentsSettings prSettings = dev.odooops.config.PrEnvironmentsSettings.of(config);
        OpsDatabase database = new OpsDatabase(settings);
        try {
            database.open(); // refuses a catalog of another version before anything is written
            database.sync(config);
            OpsRuntime runtime = new OpsRuntime(settings, config, database, env);
            runtime.scope = scope;
            runtime.prSettings = prSettings;
            config.extra().use(new dev.odooops.staging.PrEnvironments(prSettings,
                    new dev.odooops.staging.PrEnvironmentCatalog(database.dataSource())));
            runtime.serviceSettings = service ? ServiceSettings.of(settings) : null;
            runtime.evidenceSettings = dev.odooops.config.EvidenceSettings.of(settings);
            runtime.startCamel(clock);
            return runtime;
        } catch (Exception | Error e) {
            database.close();
            throw e;
        }
    }

    private void startCamel(Clock clock) throws Exception {
        Path routes = settings.home().resolve(settings.property("ops.routes-dir", "routes")).normalize();
        java.util.Properties props = new java.util.Properties();
        props.putAll(settings.raw());
        // the checkout's (or the configured) route files when they are there, else the copy inside the jar; a
        // classpath pattern finds the files of routes/ and of its service/ folder alike
        boolean packaged = !java.nio.file.Files.isDirectory(routes);
        String include = packaged ? "classpath:routes/*.camel.yaml" : "file:" + routes + "/*.camel.yaml";
        if (!scope.files().isEmpty()) {
            include = String.join(",", scope.files().stream()
                    .map(f -> packaged ? "classpath:routes/" + f : "file:" + routes.resolve(f)).toList());
        }
        if (serviceSettings == null && packaged) main.configure().withRoutesExcludePattern("**/service/*.camel.yaml");
        if (serviceSettings != null) {
            if (!packaged) include += ",file:" + routes + "/service/*.camel.yaml";
            // the channels' route files load when their channel is on; their options come from the validated settings
            List<String> exclude = new ArrayList<>();
            if (serviceSettings.inboxDir() == null) exclude.add("**/service/inbox.camel.yaml");
            else props.putAll(Inbox.routeProperties(serviceSettings));
            if (!serviceSettings.jmsEnabled()) exclude.add("**/service/jms.camel.yaml");
            else props.setProperty("jms.request-queue", serviceSettings.jmsRequestQueue());
            if (!evidenceSettings.scheduled()) exclude.add("**/service/evidence-retention.camel.yaml");
            props.setProperty("evidence.retention-cron", evidenceSettings.cron());
            props.setProperty("evidence.retention-time-zone", evidenceSettings.timeZone().getId());
            if (!exclude.isEmpty()) main.configure().withRoutesExcludePattern(String.join(",", exclude));
            props.setProperty("camel.server.enabled", "true");
            props.setProperty("camel.server.host", serviceSettings.httpHost());
            props.setProperty("camel.server.port", String.valueOf(serviceSettings.httpPort()));
            props.setProperty("odoo-ops.api-host", dev.odooops.service.HttpApi.documentedHost(serviceSettings.httpHost(), serviceSettings.httpPort()));
            // the server refuses (plain 413) only bodies far over the limit; HttpApi answers the others in JSON
            props.setProperty("camel.server.maxBodySize", String.valueOf(4L * serviceSettings.maxBodyBytes()));
            // Camel's management services on the same server: /observe/health (live, ready), /observe/metrics
            props.setProperty("camel.management.enabled", "true");
            props.setProperty("camel.management.host", serviceSettings.httpHost());
            props.setProperty("camel.management.port", String.valueOf(serviceSettings.httpPort()));
            props.setProperty("camel.management.healthCheckEnabled", "true");
            props.setProperty("camel.management.metricsEnabled", "true");
            props.setProperty("camel.management.infoEnabled", "true");
            props.setProperty("camel.metrics.enabled", "true");
            props.setProperty("camel.metrics.enableExchangeEventNotifier", "false");
            props.setProperty("camel.health.enabled", "true");
        }
        // a read-only view: only its entry route (it calls no other), so camel-main creates one route, not forty
        if (!scope.all()) main.configure().withRouteFilterIncludePattern(String.join(",", scope.routes()));
        main.setInitialProperties(props);
        main.configure().withName("odoo-ops")
                .withRoutesIncludePattern(include)
                .withJmxEnabled(false)
                .withShutdownTimeout(30);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                bindBeans(m.getCamelContext(), clock);
                // the run routes' node ids are the run's step names (see routes/backup.camel.yaml, restore.camel.yaml)
                m.getCamelContext().getCamelContextExtension().addInterceptStrategy(new StepJournal(catalog,
                        Set.of("backup", "backup-run", "restore", "restore-run", "restore-validate-only", "snapshot", "snapshot-run",
                                "drill", "drill-run")));
                if (CrashPoints.armed()) m.getCamelContext().getCamelContextExtension().addInterceptStrategy(new CrashPointStrategy());
            }

            @Override
            public void afterConfigure(BaseMainSupport m) {
                // the schedules' trigger routes come from the route template of routes/service/schedules.camel.yaml
                if (serviceSettings == null) return;
                try {
                    schedules.addTriggers(m.getCamelContext());
                    prExpiry.addTriggers(m.getCamelContext());
                } catch (Exception e) {
                    throw new IllegalStateException("cannot set up the schedules: " + e.getMessage(), e);
                }
            }
        });
        if (serviceSettings != null) {
            // camel-main's hang-up interceptor (a JVM shutdown hook) would stop the context, and with it the runs in
            // progress, as soon as serve gets SIGTERM; serve's own hook drains first (see drain)
            ((org.apache.camel.main.DefaultMainShutdownStrategy) main.getShutdownStrategy()).disableHangupSupport();
        }
        main.start();
        if (serviceSettings != null) {
            CamelContext context = main.getCamelContext();
            var drills = context.getRegistry().lookupByNameAndType("drillSettings", dev.odooops.config.DrillSettings.class);
            observability = new Observability(config, catalog, runQueue,
                    drills == null ? java.util.Set.of() : drills.expected(config.environments()));
            observability.install(context, store, () -> jms == null || jms.up(context), schedules::running);
            HttpApi.installErrorAnswers(context, serviceSettings.maxBodyBytes());
        }
    }

    /** What the beans of several areas share: the store, the tools, Odoo's controls, the run starter. */
    private record Shared(Registry registry, Clock clock, SecretRedactor redactor, ToolRunner tools, QuiesceOdoo quiesce,
                          OdooLifecycle odoo, ArtifactRemover remover, RunStarter starter, EnvironmentLookup environments) {
    }

    /** Every bean of the routes, made here and nowhere else, by area; each gets only the settings of its areas. */
    private void bindBeans(CamelContext context, Clock clock) {
        Shared shared = bindShared(context, clock);
        bindOperations(shared);
        if (scope.loads("backup.camel.yaml")) bindBackup(shared);
        // a scoped command (a view, a backup) makes only the beans of its routes: not the restore, staging, zip and
        // drift steps, whose rules files (anonymisation, neutralisation) are read and checked by the other commands
        if (!scope.all()) {
            // drill: its steps and the neutralisation of its clone (the rules read and checked as every command does)
            if (scope.loads("drill.camel.yaml")) {
                bindNeutralization(shared);
                bindDrill(shared);
            }
            return;
        }
        bindRestore(shared);
        bindStaging(shared);
        bindNeutralization(shared);
        bindDrill(shared);
        bindOdooZip(shared);
        bindService(context, shared);
        bindDrift(shared);
    }

    /** check-drift, config inventory and evidence retention (issue 14, sections 4 and 7). */
    private void bindDrift(Shared s) {
        Registry r = s.registry();
        // the neutralisation check of bindNeutralization (each environment's neutralization: block)
        r.bind("driftCheck", new dev.odooops.staging.DriftCheck(config, new dev.odooops.odoo.OdooInventory(s.tools()),
                r.lookupByNameAndType("neutralizationCheck", dev.odooops.odoo.NeutralizationCheck.class)));
        r.bind("evidenceRetention", new dev.odooops.staging.EvidenceRetention(config, catalog,
                new dev.odooops.ops.EvidenceCatalog(database.dataSource()), stores, s.starter(), s.tools(), evidenceSettings, s.clock()));
        if (serviceSettings != null) {
            r.bind("evidenceRetentionSchedule", new dev.odooops.service.EvidenceRetentionSchedule(config, runQueue, evidenceSettings));
        }
    }

    /** The catalog, the store, child processes, Odoo's controls, run start and recovery. */
    private Shared bindShared(CamelContext context, Clock clock) {
        Registry r = context.getRegistry();
        template = context.createProducerTemplate();
        operations = new Operations(template);
        List<String> secrets = new ArrayList<>();
        if (settings.opsDb().password() != null) secrets.add(settings.opsDb().password().reveal());
        config.apiTokens().values().forEach(t -> secrets.add(t.reveal()));
        config.environments().forEach(e -> secrets.addAll(dev.odooops.config.EnvironmentSecrets.of(e)));
        if (config.store().isS3()) {
            secrets.add(config.store().s3().secretAccessKey().reveal());
            // made on first use (the AWS SDK costs a command line most of a second): commands that never reach the
            // store (the views, a backup of an unchanged environment) never make it
            var s3 = config.store().s3();
            r.bind(S3ArtifactStore.CLIENT_BEAN, software.amazon.awssdk.services.s3.S3Client.class, () -> S3ArtifactStore.client(s3));
            store = new S3ArtifactStore(template, config.store().s3(), settings.store().uploadPartSizeBytes());
        } else {
            store = new LocalArtifactStore(config.store().localPath(), settings.files());
        }
        for (var previous : config.store().previous()) {
            if (previous.isS3()) secrets.add(previous.s3().secretAccessKey().reveal());
        }
        // the age identities (encryption.identity) are secrets too: never in a tool's message or a log line
        dev.odooops.config.EncryptionSettings encryption = dev.odooops.config.EncryptionSettings.of(config);
        secrets.addAll(encryption.secrets());
        // the drills (issue 16): read and refused at start like every block; the drill servers' passwords are secrets
        dev.odooops.config.DrillSettings drills = dev.odooops.config.DrillSettings.of(config);
        secrets.addAll(drills.secrets());
        r.bind("drillSettings", drills);
        SecretRedactor redactor = new SecretRedactor(secrets);
        ToolRunner tools = new ToolRunner(template, redactor, Duration.ofSeconds(10),
                ChildEnvironment.of(env, settings.tools().toolEnv(), settings.tools().commandEnv()), settings.tools().nice());
        toolRunner = tools;
        cipher = new dev.odooops.store.ArtifactCipher(tools, encryption, Duration.ofSeconds(settings.backup().archiveTimeoutSeconds()));
        OdooController controller = new OdooController(tools);
        QuiesceOdoo quiesce = new QuiesceOdoo(controller, catalog, settings.backup());
        OdooLifecycle odoo = new OdooLifecycle(controller);
        r.bind("opsCatalog", catalog);
        r.bind("opsDataSource", database.dataSource());
        r.bind("artifactStore", store);
        r.bind("toolRunner", tools);
        // the current store and the previous ones: each artifact and pack is read and deleted where it was written
        stores = new StoreLocator(config.store(), store, template, settings.store().uploadPartSizeBytes(), settings.files(), cipher);
        r.bind("storeLocator", stores);
        ArtifactRemover remover = new ArtifactRemover(stores, catalog);
        // every run start sweeps the restores' side copies, the staging runs' scratch copies and the abandoned drills'
        drillSweep = new dev.odooops.drill.DrillSweep(new dev.odooops.staging.ScratchSweep(new RestoreRecovery(catalog), catalog,
                settings.ops().workDir()), catalog.drills(), drills);
        RunStarter starter = new RunStarter(database, catalog, settings.ops(), settings.files(), store, remover, drillSweep, odoo);
        EnvironmentLookup environments = new EnvironmentLookup(config);
        r.bind("environmentLookup", environments);
        r.bind("authorizer", new dev.odooops.app.Authorizer(config, catalog));
        r.bind("environmentViews", new dev.odooops.app.EnvironmentViews(config, catalog));
        r.bind("recoverOperation", new RecoverOperation(environments, new RecoverEnvironment(starter, catalog, clock, odoo)));
        r.bind("restoreDecision", new dev.odooops.restore.RestoreDecision(config, catalog, odoo, starter, clock));
        return new Shared(r, clock, redactor, tools, quiesce, odoo, remover, starter, environments);
    }

    /** The operator views and checks: runs, artifacts, retention plan, store check. */
    private void bindOperations(Shared s) {
        Registry r = s.registry();
        GenerationCache<String, Integer, dev.odooops.model.RunPage> runLists = new GenerationCache<>();
        if (serviceSettings != null) runChanges = new RunChanges(database, runLists).start();
        r.bind("runViews", new RunViews(catalog, runLists));
        r.bind("storeCheck", new dev.odooops.app.StoreCheck(config, catalog, stores));
        r.bind("storeCopy", new dev.odooops.app.StoreCopy(config, catalog, new dev.odooops.ops.StoreLocations(database.dataSource()),
                stores, s.starter(), s.clock()));
        r.bind("rekey", new dev.odooops.app.Rekey(config, catalog, stores, s.starter(), s.clock()));
        r.bind("retentionView", new RetentionView(s.environments(), catalog, new RetentionPlanner(ZoneOffset.UTC), s.clock()));
        r.bind("artifactOperations", new ArtifactOperations(config, catalog,
                new ArtifactVerifier(stores, s.tools(), settings.ops().workDir(), catalog), s.clock()));
    }

    /** The backup steps (routes/backup.camel.yaml). */
    private void bindBackup(Shared s) {
        Registry r = s.registry();
        r.bind("backupPreconditions", new BackupPreconditions(config, settings.ops(), settings.backup(), catalog, s.clock()));
        r.bind("createRun", new CreateRun(s.starter()));
        r.bind("checkUnchanged", new CheckUnchanged(catalog, settings.backup(), settings.restore(), cipher));
        r.bind("resolveBindings", new ResolveBindings(catalog, store.uri("")));
        r.bind("quiesceOdoo", s.quiesce());
        DumpDatabase dumpDatabase = new DumpDatabase(s.tools(), catalog, settings.backup());
        ArchiveFilestore archiveFilestore = new ArchiveFilestore(s.tools(), catalog, settings.backup(), store, cipher);
        r.bind("dumpDatabase", dumpDatabase);
        r.bind("archiveFilestore", archiveFilestore);
        r.bind("dumpAndArchive", new DumpAndArchive(dumpDatabase, archiveFilestore));
        dev.odooops.backup.UploadPacks uploadPacks = new dev.odooops.backup.UploadPacks(store, settings.store());
        archiveFilestore.uploadingWith(uploadPacks); // each new pack uploaded while the next one is written
        r.bind("uploadPacks", uploadPacks);
        r.bind("snapshotConfig", new SnapshotConfig(s.tools(), catalog));
        r.bind("encryptArtifact", new dev.odooops.backup.EncryptArtifact(cipher));
        r.bind("uploadArtifact", new UploadArtifact(store, catalog, settings.store()));
        r.bind("applyRetention", new ApplyRetention(catalog, new RetentionPlanner(ZoneOffset.UTC), s.remover(), s.clock(),
                new dev.odooops.store.PackCollector(catalog, stores),
                new dev.odooops.store.PackRepacker(catalog, stores, s.tools(), settings.ops().workDir(),
                        settings.backup().repackDeadPercent(), settings.backup().zstdLevel(),
                        Duration.ofSeconds(settings.backup().archiveTimeoutSeconds()))));
        r.bind("finalizeBackup", new FinalizeBackup(catalog, s.quiesce()));
        r.bind("drillAfterBackup", new dev.odooops.backup.DrillAfterBackup(database, catalog,
                r.lookupByNameAndType("drillSettings", dev.odooops.config.DrillSettings.class), settings.ops()));
        r.bind("backupFailureHandler", new BackupFailureHandler(store, catalog, s.quiesce(), s.remover()));
    }

    /** The restore steps, rollback and validation (routes/restore.camel.yaml, validate-env). */
    private void bindRestore(Shared s) {
        Registry r = s.registry();
        RestoreDatabase restoreDatabase = new RestoreDatabase(s.tools(), catalog, settings.restore());
        RestoreFilestore restoreFilestore = new RestoreFilestore(s.tools(), catalog, settings.backup(), stores, settings.restore().packFetchParallelism());
        EnvironmentValidator validator = new EnvironmentValidator(s.tools(), settings.restore());
        ServerVersions versions = new ServerVersions(s.tools());
        r.bind("environmentCheck", new EnvironmentCheck(s.environments(), catalog, validator, s.clock(), versions));
        r.bind("restorePreflight", new RestorePreflight(config, settings.ops(), catalog, stores, s.clock(), s.redactor(),
                versions));
        r.bind("createRestoreRun", new CreateRestoreRun(s.starter(), catalog));
        r.bind("verifyRestoreArtifact", new VerifyRestoreArtifact(catalog, cipher));
        r.bind("safetyBackup", new SafetyBackup(operations::backup, catalog,
                new ArtifactVerifier(stores, s.tools(), settings.ops().workDir(), catalog)));
        r.bind("quiesceForRestore", new QuiesceForRestore(s.odoo(), catalog, settings.restore()));
        r.bind("restoreDatabase", restoreDatabase);
        r.bind("warmStandby", drillSweep.standby()); // use-standby and standby-consumed (issue 16, section 3)
        r.bind("restoreFilestore", restoreFilestore);
        r.bind("compareConfig", new CompareConfig(new SnapshotConfig(s.tools(), catalog), catalog));
        r.bind("restartOdoo", new RestartOdoo(s.odoo(), catalog));
        r.bind("validateRestore", new ValidateRestore(validator, catalog));
        r.bind("finalizeRestore", new FinalizeRestore(catalog, s.odoo()));
        r.bind("restoreFailureHandler", new RestoreFailureHandler(catalog));
        r.bind("rollbackRestore", new RollbackRestore(catalog, stores, restoreDatabase, restoreFilestore, s.odoo()));
        bindSnapshot(s);
    }

    /** The sanitised snapshot (routes/staging-snapshot.camel.yaml); its rules read (and refused) at start. */
    private void bindSnapshot(Shared s) {
        s.registry().bind("sanitizedSnapshot", new dev.odooops.staging.SanitizedSnapshot(config, settings.ops(), settings.restore(),
                settings.backup(), catalog, stores, s.tools(), s.starter(), new dev.odooops.postgres.Anonymizer(),
                dev.odooops.config.AnonymizationSettings.of(config), operations::backupOf, s.clock()));
    }

    /** The staging operations of issue 14: pull-request environments (staging.PrEnvironmentOperations). */
    private void bindStaging(Shared s) {
        Registry r = s.registry();
        Duration timeout = Duration.ofSeconds(settings.restore().pgRestoreTimeoutSeconds());
        var loader = new dev.odooops.staging.ArtifactLoader(s.tools(), catalog, stores, timeout,
                settings.restore().packFetchParallelism());
        prOperations = new dev.odooops.staging.PrEnvironmentOperations(config, prSettings,
                new dev.odooops.staging.PrEnvironmentCatalog(database.dataSource()), catalog, s.starter(),
                new dev.odooops.staging.PrEnvironmentTemplate(loader, database.dataSource()), s.tools(), s.clock(), timeout);
        r.bind("prEnvironmentOperations", prOperations);
    }

    /**
     * The neutralisation of copies (issue 14, sections 2-3): each environment's {@code neutralization:} block and rules,
     * read and validated here so that a bad key or rules file fails the start; the check (bean
     * {@code neutralizationCheck}, also for the drift check) and check-neutralization's step.
     */
    private void bindNeutralization(Shared s) {
        Registry r = s.registry();
        var neutralizationSettings = dev.odooops.config.NeutralizationSettings.of(config);
        // a pull-request environment's: its template's neutralization: block, or the project's staging environment's
        dev.odooops.odoo.NeutralizationCheck check = new dev.odooops.odoo.NeutralizationCheck(neutralizationSettings,
                id -> prSettings == null ? java.util.Optional.empty()
                        : prSettings.neutralization(id, config.environments(), neutralizationSettings));
        r.bind("neutralizationCheck", check);
        r.bind("neutralizer", new dev.odooops.odoo.Neutralizer(check, s.tools()));
        r.bind("neutralizationReport", new dev.odooops.staging.NeutralizationReport(config, check));
        dev.odooops.odoo.Neutralizer neutralizer = new dev.odooops.odoo.Neutralizer(check, s.tools());
        r.bind("neutralizeCopy", new dev.odooops.staging.NeutralizeCopy(config, neutralizer, check));
        if (prOperations != null) prOperations.neutralizeWith(neutralizer, check); // pr-env create --from staging
        r.bind("copyPlanner", new dev.odooops.staging.CopyPlanner(config, catalog, operations::restore));
    }

    /** The restore drill (routes/drill.camel.yaml, issue 16). */
    private void bindDrill(Shared s) {
        Registry r = s.registry();
        r.bind("restoreDrill", new dev.odooops.drill.RestoreDrill(config, settings.ops(), settings.restore(), settings.backup(),
                catalog, stores, s.tools(), s.starter(), r.lookupByNameAndType("drillSettings", dev.odooops.config.DrillSettings.class),
                drillSweep, r.lookupByNameAndType("neutralizer", dev.odooops.odoo.Neutralizer.class), s.clock()));
    }

    /** Odoo zip in and out (routes/staging-zip.camel.yaml): the zip.* settings read here, so a bad one fails the start. */
    private void bindOdooZip(Shared s) {
        Registry r = s.registry();
        dev.odooops.config.ZipSettings zip = dev.odooops.config.ZipSettings.of(settings);
        r.bind("odooZipImport", new dev.odooops.staging.OdooZipImport(config, catalog, s.starter(), s.tools(),
                new ServerVersions(s.tools()), zip, operations::backupOf, s.clock()));
        r.bind("odooZipExport", new dev.odooops.staging.OdooZipExport(config, catalog, stores, s.starter(), s.tools(), zip,
                settings.restore().packFetchParallelism(), s.clock()));
    }

    /** Schedules (listed on the command line, fired in serve) and, in serve, the queue and the channels. */
    private void bindService(CamelContext context, Shared s) {
        Registry r = s.registry();
        if (serviceSettings == null) {
            schedules = new Schedules(config, catalog, null, instanceName(), database.dataSource());
        } else {
            runQueue = new RunQueue(database, catalog, operations, s.environments(), settings.ops(), serviceSettings);
            schedules = new Schedules(config, catalog, runQueue, instanceName(), database.dataSource());
            schedules.validate(); // a schedule of another operation: a valid request its user may make, or no start
            prExpiry = new dev.odooops.service.PrEnvironmentExpiry(prSettings, prOperations, runQueue);
            r.bind("prEnvironmentExpiry", prExpiry);
            try {
                schedules.install(context);
                if (serviceSettings.jmsEnabled()) {
                    jms = new JmsChannel(runQueue, serviceSettings, config.jmsCredentials(), env);
                    jms.install(context);
                    r.bind("jmsChannel", jms);
                }
                if (serviceSettings.inboxDir() != null) {
                    if (!config.users().containsKey(serviceSettings.inboxUser())) {
                        throw new dev.odooops.config.ConfigException("inbox.user: no user '" + serviceSettings.inboxUser()
                                + "' in " + config.file());
                    }
                    inbox = new Inbox(runQueue, serviceSettings, serviceSettings.inboxUser(), database.dataSource());
                    inbox.install(context);
                    r.bind("inbox", inbox);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot set up the service channels: " + e.getMessage(), e);
            }
            apiTokens = new ApiTokens(config, serviceSettings.authFailuresPerMinute(), s.clock());
            r.bind("httpApi", new HttpApi(operations, runQueue, apiTokens, s.environments(), config, catalog,
                    serviceSettings.maxBodyBytes(), serviceSettings.trustedProxies()));
        }
        r.bind("schedules", schedules);
    }

    /** The Quartz instance name (camel.main.name): instances of one cluster share it. */
    private String instanceName() {
        return settings.property("camel.main.name", "odoo-ops");
    }

    public Settings settings() {
        return settings;
    }

    public OpsConfig config() {
        return config;
    }

    public OpsCatalog catalog() {
        return catalog;
    }

    public OpsDatabase database() {
        return database;
    }

    public ArtifactStore store() {
        return store;
    }

    public ProducerTemplate template() {
        return template;
    }

    /** Service mode only (else null): the settings, the worker queue and the API tokens. */
    public ServiceSettings serviceSettings() {
        return serviceSettings;
    }

    public RunQueue runQueue() {
        return runQueue;
    }

    public ApiTokens apiTokens() {
        return apiTokens;
    }

    public Schedules schedules() {
        return schedules;
    }

    /** The JMS channel, or null when {@code jms.enabled=false} (or not in service mode). */
    public JmsChannel jms() {
        return jms;
    }

    /** The inbox folder channel, or null when {@code inbox.dir} is not set (or not in service mode). */
    public Inbox inbox() {
        return inbox;
    }

    /** The application layer: every operation as a typed call to its entry route. */
    public Operations operations() {
        return operations;
    }

    /**
     * The command line on a terminal: long tools (dump, archive, extraction, pg_restore) draw a progress line on
     * {@code terminal} (its stderr) as well as logging theirs.
     */
    public void drawProgressOn(java.io.PrintStream terminal) {
        if (toolRunner != null) toolRunner.drawProgressOn(terminal);
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    /**
     * serve's graceful stop, first half: every channel stops taking requests (HTTP answers 503, the JMS consumer and
     * the inbox stop, so their requests wait in the queue and the folder; this node's Quartz scheduler stands by),
     * then the runs in progress get {@code service.shutdown-grace-seconds} to end. Answers whether they all did;
     * {@link #close} follows either way, except in a process about to exit with runs cut off.
     */
    public boolean drain() {
        // the stop signal may have reached a child the JVM was starting, still in odoo-ops's process group: started again
        if (toolRunner != null) toolRunner.stopSignalled();
        if (runQueue == null) return true;
        runQueue.stopAccepting();
        CamelContext context = main.getCamelContext();
        for (String route : List.of("jms-requests", "inbox", "inbox-names")) {
            try {
                if (context.getRoute(route) != null) context.getRouteController().stopRoute(route);
            } catch (Exception e) {
                LOG.warn("shutdown: stopping route {} failed: {}", route, e.getMessage());
            }
        }
        if (schedules != null) schedules.standby();
        return runQueue.awaitRuns(Duration.ofSeconds(serviceSettings.shutdownGraceSeconds()));
    }

    @Override
    public void close() {
        drain(); // first: no new request, running operations finish (within the grace period)
        if (runQueue != null) runQueue.close(); // runs still going after the grace are interrupted
        if (schedules != null) schedules.close();
        if (observability != null) observability.close();
        if (runChanges != null) runChanges.close();
        try {
            main.stop();
        } catch (Exception ignored) {
            // shutting down anyway
        }
        if (jms != null) jms.close();
        database.close();
    }
}
