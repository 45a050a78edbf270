package dev.odooops.service;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Schedule;
import dev.odooops.config.Settings;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupType;
import dev.odooops.domain.RequestRejected;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The environments' backup schedules on camel-quartz with Quartz's clustered JDBC job store in the ops catalog
 * (tables {@code ops.qrtz_*}, V7): with several {@code serve} instances on one catalog, each firing runs on one of
 * them. A firing is a backup request like any other ({@link RunQueue}), with the request id
 * {@code schedule:<key>:<scheduled fire time>}, so one firing can never start two runs; a firing that cannot run
 * (another run is active, the queue is full ...) is recorded as a run {@code skipped} with the reason.
 * <p>Misfires (a firing missed while no instance ran, e.g. downtime): one catch-up firing at once, then the
 * regular times (Quartz's fire-once-now); never a burst. Pausing and resuming a schedule is stored in the job
 * store, so it holds on every instance and across restarts.
 */
public final class Schedules {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);
    /** The Quartz group of every odoo-ops trigger. */
    public static final String GROUP = "odoo-ops";
    private static final String DATA_SOURCE = "odooOpsCatalog";

    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final RunQueue queue;
    private final QuartzComponent quartz;

    private Scheduler standalone;
    private final DataSource catalogDb;

    /** @param queue the service's queue; null on the command line, where schedules are only listed, paused and resumed */
    public Schedules(OpsConfig config, OpsCatalog catalog, RunQueue queue, String instanceName, DataSource catalogDb) {
        this.config = config;
        this.catalog = catalog;
        this.queue = queue;
        this.quartz = new QuartzComponent();
        quartz.setPrefixInstanceName(false);
        quartz.setProperties(quartzProperties(instanceName));
        this.catalogDb = catalogDb;
    }

    /** The Quartz settings of the clustered job store; also what the command line uses to pause and resume. */
    static Properties quartzProperties(String name) {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, name);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, "AUTO");
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", DATA_SOURCE);
        p.setProperty("org.quartz.jobStore.tablePrefix", "ops.qrtz_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        return p;
    }

    /** Quartz reaches the catalog through odoo-ops's own pool (registered by name before a scheduler is made). */
    private void registerDataSource() {
        DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return catalogDb.getConnection();
            }

            @Override
            public void shutdown() {
                // the catalog's pool belongs to odoo-ops
            }

            @Override
            public void initialize() {
                // already a pool
            }
        });
    }

    /**
     * The job store's scheduler: the running one in service mode; on the command line one that is never started
     * (it reads and writes the shared job store only, so a pause holds on every serve instance at once).
     */
    private synchronized Scheduler scheduler() {
        if (queue != null && quartz.getScheduler() != null) return quartz.getScheduler();
        if (standalone == null) {
            registerDataSource();
            try {
                Properties p = new Properties();
                p.putAll(quartz.getProperties());
                p.setProperty("org.quartz.scheduler.instanceId", "odoo-ops-cli-" + ProcessHandle.current().pid());
                standalone = new StdSchedulerFactory(p).getScheduler();
            } catch (SchedulerException e) {
                throw new IllegalStateException("cannot read the schedules' job store: " + e.getMessage(), e);
            }
        }
        return standalone;
    }

    /** For readiness: the service's scheduler is started and not shut down. */
    public boolean running() {
        try {
            Scheduler s = quartz.getScheduler();
            return s != null && s.isStarted() && !s.isShutdown() && !s.isInStandbyMode();
        } catch (SchedulerException e) {
            return false;
        }
    }

    /**
     * serve's stop: this node's scheduler fires nothing more (standby is not persisted: other instances go on
     * firing, and a trigger missed here fires at once at the next start, MISFIRE_INSTRUCTION_FIRE_ONCE_NOW).
     */
    public void standby() {
        try {
            Scheduler s = quartz.getScheduler();
            if (s != null && s.isStarted() && !s.isShutdown()) s.standby();
        } catch (SchedulerException e) {
            LOG.warn("shutdown: putting the scheduler in standby failed: {}", e.getMessage());
        }
    }

    /** Ends the command line's scheduler (the service's ends with its Camel context). */
    public synchronized void close() {
        if (standalone == null) return;
        try {
            standalone.shutdown(false);
        } catch (SchedulerException e) {
            LOG.debug("closing the schedules' job store: {}", e.getMessage());
        }
        standalone = null;
    }

    /** The trigger name of a schedule: {@code <project>.<env>.<schedule>}. */
    public static String key(EnvironmentConfig env, Schedule s) {
        return env.project() + "." + env.name() + "." + s.name();
    }

    /** Binds the Quartz component (its job store in the catalog); the trigger routes come with {@link #addTriggers}. */
    public void install(CamelContext context) {
        registerDataSource();
        context.addComponent("quartz", quartz);
    }

    /**
     * One thin route per schedule, {@code schedule-<key>}, from the route template {@code schedule-trigger}
     * (routes/service/schedules.camel.yaml): quartz -> direct:schedule-fired. Called once the route files are loaded.
     */
    public void addTriggers(CamelContext context) throws Exception {
        for (EnvironmentConfig env : config.environments()) {
            for (Schedule s : env.schedules()) {
                String key = key(env, s);
                TemplatedRouteBuilder.builder(context, "schedule-trigger").routeId("schedule-" + key)
                        .parameter("key", key).parameter("cron", s.cron()).parameter("timeZone", s.timeZone().getId())
                        .add();
            }
        }
    }

    /** Removes triggers of schedules no longer in the environments file (another version's, or a removed one). */
    public void dropStale() {
        try {
            Scheduler scheduler = quartz.getScheduler();
            if (scheduler == null) return;
            List<String> configured = new ArrayList<>();
            for (EnvironmentConfig env : config.environments()) for (Schedule s : env.schedules()) configured.add(key(env, s));
            for (TriggerKey k : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(GROUP))) {
                if (!configured.contains(k.getName())) {
                    scheduler.unscheduleJob(k);
                    LOG.info("schedule {} is no longer configured: its trigger was removed", k.getName());
                }
            }
        } catch (SchedulerException e) {
            LOG.warn("could not remove stale schedules: {}", e.getMessage());
        }
    }

    /** A firing (route schedule-fired): the backup request, queued; or a skipped run with the reason. */
    public void fired(Exchange exchange) {
        String key = exchange.getMessage().getHeader("odooOpsSchedule", String.class);
        Date scheduled = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        String fireTime = (scheduled == null ? new Date() : scheduled).toInstant().toString();
        Found f = find(key).orElse(null);
        if (f == null) {
            LOG.warn("schedule {} fired but is not configured", key);
            return;
        }
        String requestId = "schedule:" + f.schedule().name() + ":" + fireTime;
        String user = f.schedule().user(); // checked at load (backup) or at start (validate): it holds the operation's action
        if (!f.schedule().isBackup()) {
            fireOperation(key, f, user, requestId, fireTime);
            return;
        }
        BackupRequest request = BackupRequest.of(f.env().project(), f.env().name(), BackupType.parse("type", f.schedule().type()),
                "schedule " + f.schedule().name(), f.schedule().keepDaily(), f.schedule().keepWeekly(),
                f.schedule().keepMonthly(), user, "schedule");
        try {
            RunQueue.Accepted a = queue.submit(new Submission("backup", request, requestId));
            LOG.info("schedule {} fired for {}: run {} {}", key, fireTime, a.runId(), a.duplicate() ? "(already fired)" : a.status());
        } catch (RequestRejected r) {
            boolean recorded = catalog.requests().recordSkipped(f.env().project(), f.env().id(), "backup", user, requestId, "schedule",
                    r.getMessage(), Map.of("schedule", f.schedule().name(), "fire_time", fireTime));
            LOG.warn("schedule {} fired for {} and was skipped{}: {}", key, fireTime, recorded ? "" : " (already recorded)",
                    r.getMessage());
        }
    }

    /** A schedule of another queued operation: its request, queued like one from any channel; or a skipped run. */
    private void fireOperation(String key, Found f, String user, String requestId, String fireTime) {
        String operation = f.schedule().operation();
        try {
            RunQueue.Accepted a = queue.submit(request(f.env(), f.schedule(), requestId));
            LOG.info("schedule {} fired for {}: {} run {} {}", key, fireTime, operation, a.runId(),
                    a.duplicate() ? "(already fired)" : a.status());
        } catch (RequestRejected r) {
            boolean recorded = catalog.requests().recordSkipped(f.env().project(), f.env().id(), operation, user, requestId,
                    "schedule", r.getMessage(), Map.of("schedule", f.schedule().name(), "fire_time", fireTime));
            LOG.warn("schedule {} fired for {} and was skipped{}: {}", key, fireTime, recorded ? "" : " (already recorded)",
                    r.getMessage());
        }
    }

    /** The request a schedule of another operation than backup queues: its {@code request} fields on its environment. */
    private static Submission request(EnvironmentConfig env, Schedule s, String requestId) {
        Map<String, Object> fields = new LinkedHashMap<>(s.request());
        fields.put("project", env.project());
        fields.put("environment", env.name());
        if (requestId != null) fields.put("request_id", requestId);
        return Submission.of(s.operation(), fields, s.user(), "schedule");
    }

    /**
     * At start (service mode): every schedule of another operation than backup names a queueable operation with a
     * valid request, and its user holds that operation's action on the projects it touches; else the configuration is
     * refused naming the schedule. (A backup schedule's user was checked when the environments file was read.)
     */
    public void validate() {
        for (EnvironmentConfig env : config.environments()) {
            for (Schedule s : env.schedules()) {
                if (s.isBackup()) continue;
                String where = config.file() + ": schedule " + key(env, s) + ": ";
                Submission sub;
                try {
                    sub = request(env, s, null);
                } catch (RequestRejected r) {
                    String text = r.getMessage().startsWith(r.field() + ": ") ? r.getMessage().substring(r.field().length() + 2) : r.getMessage();
                    String field = r.field().equals("operation") ? "operation" : "request." + r.field();
                    throw new dev.odooops.config.ConfigException(where + field + ": " + text);
                }
                if (sub.request() instanceof dev.odooops.model.ActionRequest a) {
                    for (String project : a.projects()) {
                        if (!config.allows(s.user(), project, a.action())) {
                            throw new dev.odooops.config.ConfigException(where + "user: "
                                    + dev.odooops.domain.PermissionDenied.text(s.user(), a.action(), project));
                        }
                    }
                }
            }
        }
    }

    private record Found(EnvironmentConfig env, Schedule schedule) {
    }

    private Optional<Found> find(String key) {
        for (EnvironmentConfig env : config.environments()) {
            for (Schedule s : env.schedules()) if (key(env, s).equals(key)) return Optional.of(new Found(env, s));
        }
        return Optional.empty();
    }

    /** Every configured schedule with its state in the job store (NORMAL, PAUSED, ...) and next fire time. */
    public List<Map<String, Object>> list() {
        Scheduler scheduler = scheduler();
        List<Map<String, Object>> out = new ArrayList<>();
        for (EnvironmentConfig env : config.environments()) {
            for (Schedule s : env.schedules()) {
                Map<String, Object> m = new LinkedHashMap<>();
                String key = key(env, s);
                m.put("key", key);
                m.put("environment_id", env.id());
                m.put("name", s.name());
                m.put("cron", s.cron());
                m.put("time_zone", s.timeZone().getId());
                m.put("operation", s.operation());
                if (s.isBackup()) m.put("type", s.type());
                else m.put("request", s.request());
                try {
                    TriggerKey tk = TriggerKey.triggerKey(key, GROUP);
                    Trigger t = scheduler == null ? null : scheduler.getTrigger(tk);
                    m.put("state", t == null ? "not registered (no serve has run it yet)" : scheduler.getTriggerState(tk).name());
                    m.put("next_fire_time", t == null || t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant().toString());
                } catch (SchedulerException e) {
                    m.put("state", "unknown: " + e.getMessage());
                }
                out.add(m);
            }
        }
        return out;
    }

    /** Pauses (or resumes) a schedule by its key, in the job store: every instance holds it at once. */
    public Map<String, Object> pause(dev.odooops.model.PauseScheduleRequest request) {
        String key = request.key();
        boolean paused = request.paused();
        Scheduler scheduler = scheduler();
        boolean known = config.environments().stream().anyMatch(e -> e.schedules().stream().anyMatch(s -> key(e, s).equals(key)));
        if (!known) throw new RequestRejected("schedule", "no schedule '" + key + "' (keys are <project>.<env>.<name>)",
                RequestRejected.Reason.NOT_FOUND);
        try {
            TriggerKey tk = TriggerKey.triggerKey(key, GROUP);
            if (scheduler.getTrigger(tk) == null) {
                throw new RequestRejected("schedule", "schedule '" + key + "' is not registered yet: start odoo-ops serve once",
                        RequestRejected.Reason.CONFLICT);
            }
            if (paused) scheduler.pauseTrigger(tk);
            else scheduler.resumeTrigger(tk);
            return Map.of("key", key, "state", scheduler.getTriggerState(tk).name());
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot " + (paused ? "pause" : "resume") + " schedule " + key + ": " + e.getMessage(), e);
        }
    }
}
