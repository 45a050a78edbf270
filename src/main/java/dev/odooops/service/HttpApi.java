package dev.odooops.service;

import dev.odooops.app.EnvironmentLookup;
import dev.odooops.app.Operations;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.Json;
import dev.odooops.domain.TrustedProxies;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.GetRunRequest;
import dev.odooops.model.ListArtifactsRequest;
import dev.odooops.model.ListEnvironmentsRequest;
import dev.odooops.model.ListRunsRequest;
import dev.odooops.model.ListSchedulesRequest;
import dev.odooops.model.PauseScheduleRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreDecisionRequest;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP API (routes/service/http-api.camel.yaml) as a thin trigger: authenticate the bearer token, read the
 * request with the token's user as its principal, call the application layer (the {@link RunQueue} for backups and
 * restores, {@link Operations} for the rest), which decides the permission, and answer JSON with the status that says what happened:
 * 202 queued (with {@code Location}), 200, 400 naming the field, 401, 403, 404, 405, 409 (a run is active on the
 * environment, named; or a request_id used for another request), 413 (body too large), 429 (too many failed
 * authentications from this client, with {@code Retry-After}), 503 (the queue is full or the service is stopping).
 * Every error, an unknown path's and a wrong method's too, is the same JSON shape. Inbound {@code Camel*} headers are
 * removed before anything is read; no answer names a file of the server's configuration.
 */
public final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final String REMOTE = "CamelVertxPlatformHttpRemoteAddress";

    private final Operations operations;
    private final RunQueue queue;
    private final ApiTokens tokens;
    private final EnvironmentLookup environments;
    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final int maxBodyBytes;
    private final TrustedProxies proxies;

    public HttpApi(Operations operations, RunQueue queue, ApiTokens tokens, EnvironmentLookup environments, OpsConfig config,
                   OpsCatalog catalog, int maxBodyBytes, TrustedProxies proxies) {
        this.operations = operations;
        this.queue = queue;
        this.tokens = tokens;
        this.environments = environments;
        this.config = config;
        this.catalog = catalog;
        this.maxBodyBytes = maxBodyBytes;
        this.proxies = proxies;
    }

    /** A response: status, JSON body, and the Location of a created run. */
    record Response(int status, Object body, String location) {
        static Response ok(Object body) {
            return new Response(200, body, null);
        }
    }

    private interface Action {
        Response apply(String user, Exchange exchange);
    }

    // ---- the endpoints -------------------------------------------------------------------------------------

    public void submitBackup(Exchange ex) {
        handle(ex, (user, e) -> submit(e, user, "backup"));
    }

    public void submitRestore(Exchange ex) {
        handle(ex, (user, e) -> submit(e, user, "restore"));
    }

    /** {@code POST /runs}: any queued operation, named by the body's {@code operation}. */
    public void submitRun(Exchange ex) {
        handle(ex, (user, e) -> {
            Map<String, Object> fields = jsonBody(e, e.getMessage().getBody(String.class));
            Object op = fields.remove("operation");
            if (!(op instanceof String operation)) {
                throw new RequestRejected("operation", "is required: one of " + String.join("|", Submission.operations()));
            }
            return queued(queue.submit(Submission.of(operation, fields, user, "http")));
        });
    }

    public void getRun(Exchange ex) {
        handle(ex, (user, e) -> Response.ok(inPathTerms(() ->
                operations.getRun(GetRunRequest.parse("id", header(e, "id"), user))).body()));
    }

    /** {@code GET /runs?env=&project=&limit=&cursor=}: a page of runs and the next page's cursor. */
    public void listRuns(Exchange ex) {
        handle(ex, (user, e) -> {
            Integer limit = integer("limit", header(e, "limit"));
            return Response.ok(inPathTerms(() -> operations.listRuns(ListRunsRequest.of(header(e, "project"),
                    envParameter(e), limit, header(e, "cursor"), user))));
        });
    }

    /** {@code GET /artifacts?env=&project=&all=&limit=&cursor=}: a page of artifacts and the next page's cursor. */
    public void listArtifacts(Exchange ex) {
        handle(ex, (user, e) -> {
            boolean all = "true".equals(header(e, "all"));
            Integer limit = integer("limit", header(e, "limit"));
            return Response.ok(inPathTerms(() -> operations.listArtifacts(ListArtifactsRequest.of(header(e, "project"),
                    envParameter(e), all, limit, header(e, "cursor"), user))));
        });
    }

    public void verifyArtifact(Exchange ex) {
        handle(ex, (user, e) -> {
            queue.requireAccepting();
            String readData = header(e, "read_data");
            if (readData != null && !readData.equals("true") && !readData.equals("false")) {
                throw new RequestRejected("read_data", "expected true or false, got '" + readData + "'");
            }
            Integer sample = integer("sample", header(e, "sample"));
            return Response.ok(inPathTerms(() -> operations.verifyArtifact(new ArtifactRequest(header(e, "id"),
                    "true".equals(readData), sample == null ? 100 : sample, user))).body());
        });
    }

    /** Body optional: {@code {"reason": "...", "until": "2036-12-31"}} makes the pin a legal hold. */
    public void pinArtifact(Exchange ex) {
        handle(ex, (user, e) -> {
            queue.requireAccepting();
            String body = e.getMessage().getBody(String.class); // read once: the body is a stream
            Map<String, Object> f = body == null || body.isBlank() ? Map.of() : jsonBody(e, body);
            for (String k : f.keySet()) {
                if (!k.equals("reason") && !k.equals("until")) {
                    throw new RequestRejected(k, "unknown field (expected reason, until)");
                }
            }
            Object reason = f.get("reason");
            Object until = f.get("until");
            if (reason != null && !(reason instanceof String)) throw new RequestRejected("reason", "expected a string");
            if (until != null && !(until instanceof String)) throw new RequestRejected("until", "expected a date or an instant");
            return pin(new PinRequest(header(e, "id"), true, (String) reason, PinRequest.until("until", (String) until), user));
        });
    }

    public void unpinArtifact(Exchange ex) {
        handle(ex, (user, e) -> {
            queue.requireAccepting();
            return pin(new PinRequest(header(e, "id"), false, user));
        });
    }

    public void listSchedules(Exchange ex) {
        handle(ex, (user, e) -> Response.ok(operations.listSchedules(new ListSchedulesRequest(user))));
    }

    public void pauseSchedule(Exchange ex) {
        handle(ex, (user, e) -> pause(user, header(e, "key"), true));
    }

    public void resumeSchedule(Exchange ex) {
        handle(ex, (user, e) -> pause(user, header(e, "key"), false));
    }

    private Response pause(String user, String key, boolean paused) {
        queue.requireAccepting();
        return Response.ok(inPathTerms(() -> operations.pauseSchedule(new PauseScheduleRequest(key, paused, user))));
    }

    public void listEnvironments(Exchange ex) {
        handle(ex, (user, e) -> Response.ok(operations.listEnvironments(new ListEnvironmentsRequest(user))));
    }

    /**
     * {@code GET /environments/{env}/neutralization[?project=P]}: the neutralisation check's report; 200 whether or not
     * the environment is neutralised (its {@code ok} says).
     */
    public void checkNeutralization(Exchange ex) {
        handle(ex, (user, e) -> Response.ok(operations.checkNeutralization(
                new dev.odooops.model.CheckNeutralizationRequest(header(e, "project"), header(e, "env"), user)).body()));
    }

    /** {@code POST /runs/{id}/accept}: keep the restored copy of a failed disaster restore and lift maintenance. */
    /** {@code GET /pr-environments[?project=P]}: the pull-request environments with their age (pr-env list). */
    public void listPrEnvironments(Exchange ex) {
        handle(ex, (user, e) -> Response.ok(operations.prEnvList(new dev.odooops.model.PrEnvListRequest(header(e, "project"),
                user)).body()));
    }

    /** {@code DELETE /pr-environments/{project}/{pr}}: a pr_env_delete run queued. */
    public void deletePrEnvironment(Exchange ex) {
        handle(ex, (user, e) -> {
            int pr = dev.odooops.model.PrEnvCreateRequest.number(header(e, "pr"), null);
            dev.odooops.model.PrEnvDeleteRequest request = new dev.odooops.model.PrEnvDeleteRequest(header(e, "project"), pr,
                    dev.odooops.model.PrEnvDeleteRequest.OPERATION, user, "http");
            return queued(queue.submit(new Submission(request.operation(), request, null)));
        });
    }

    public void acceptRestore(Exchange ex) {
        handle(ex, (user, e) -> decide(e, user, RestoreDecisionRequest.Decision.ACCEPT));
    }

    /** {@code POST /runs/{id}/discard}: remove the restored copy of a failed disaster restore. */
    public void discardRestore(Exchange ex) {
        handle(ex, (user, e) -> decide(e, user, RestoreDecisionRequest.Decision.DISCARD));
    }

    /** {@code GET /projects/{project}/drift}: check-drift's report (200; {@code ok} says whether something diverges). */
    public void checkDrift(Exchange ex) {
        handle(ex, (user, e) -> Response.ok(operations.checkDrift(new dev.odooops.model.DriftRequest(header(e, "project"),
                user)).body()));
    }

    // ---- the work ----------------------------------------------------------------------------------------

    private Response submit(Exchange e, String user, String operation) {
        Map<String, Object> fields = jsonBody(e, e.getMessage().getBody(String.class));
        Object op = fields.remove("operation");
        if (op != null && !operation.equals(op)) {
            throw new RequestRejected("operation", "this endpoint takes '" + operation + "', got '" + op + "'");
        }
        return queued(queue.submit(Submission.of(operation, fields, user, "http")));
    }

    /** 202 with the queued run and its Location (200 with the first run for a repeated request_id). */
    private static Response queued(RunQueue.Accepted accepted) {
        String location = "/api/v1/runs/" + accepted.runId();
        return new Response(accepted.duplicate() ? 200 : 202, accepted.toJson(), location);
    }

    private Response pin(PinRequest request) {
        return Response.ok(inPathTerms(() -> operations.pin(request)).toJson());
    }

    /** 200 with the decision's report (its {@code status} says whether it was done), like the command's JSON. */
    private Response decide(Exchange e, String user, RestoreDecisionRequest.Decision decision) {
        queue.requireAccepting();
        String id = header(e, "id");
        return Response.ok(inPathTerms(() -> operations.decideRestore(RestoreDecisionRequest.of("id", id, decision, user,
                "http"))).body());
    }

    private static String envParameter(Exchange e) {
        String env = header(e, "env");
        if (env == null || env.isBlank()) throw new RequestRejected("env", "the query parameter env=E or env=P/E is required");
        return env;
    }

    /**
     * A call of the application layer whose refusals speak the command line's words ({@code ID}, {@code --project},
     * {@code schedule}) answered in the API's: the path's {@code id} and {@code key}, the query's {@code env} and
     * {@code project}.
     */
    private static <T> T inPathTerms(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RequestRejected r) {
            RequestRejected q = Submission.inRequestTerms(r, "env");
            String field = switch (q.field()) {
                case "ID" -> "id";
                case "schedule" -> "key";
                default -> null;
            };
            if (field == null) throw q;
            String prefix = q.field() + ": ";
            String text = q.getMessage().startsWith(prefix) ? q.getMessage().substring(prefix.length()) : q.getMessage();
            throw new RequestRejected(field, text, q.reason());
        }
    }

    private Map<String, Object> jsonBody(Exchange e, String body) {
        String type = header(e, "Content-Type");
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new RequestRejected("Content-Type", "send the request as JSON with Content-Type: application/json, got '"
                    + type + "'");
        }
        if (body == null || body.isBlank()) throw new RequestRejected("body", "expected a JSON object, got an empty body");
        if (body.length() > maxBodyBytes) throw new TooLarge(body.length());
        return Submission.read(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), false, "body");
    }

    private static Integer integer(String field, String value) {
        if (value == null) return null;
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException x) {
            throw new RequestRejected(field, "must be a whole number, got '" + value + "'");
        }
    }

    private static String header(Exchange e, String name) {
        Object v = e.getMessage().getHeader(name);
        return v == null ? null : String.valueOf(v);
    }

    /** A body over {@code http.max-body-bytes}. */
    private static final class TooLarge extends RuntimeException {
        TooLarge(int size) {
            super("body: " + size + " bytes is more than the limit");
        }
    }

    // ---- the frame every endpoint shares -------------------------------------------------------------------

    private void handle(Exchange ex, Action action) {
        String address = proxies.client(remoteAddress(ex), header(ex, "X-Forwarded-For"));
        String authorization = header(ex, "Authorization");
        ex.getMessage().removeHeaders("Camel*");
        ex.getMessage().removeHeader("Authorization");
        Response response;
        try {
            response = authenticated(ex, address, authorization, action);
        } catch (RequestRejected r) {
            response = error(status(r.reason()), withoutConfigPaths(r.getMessage()), r.field());
        } catch (TooLarge t) {
            response = error(413, t.getMessage() + " of " + maxBodyBytes + " bytes", "body");
        } catch (RuntimeException x) {
            LOG.error("HTTP request failed: {}", x.getMessage(), x);
            response = error(500, "internal error (the odoo-ops log has the cause)", null); // no internals in answers
        }
        respond(ex, response);
    }

    /** A valid token is never limited; a missing or unknown one counts against its client (see {@link ApiTokens}). */
    private Response authenticated(Exchange ex, String address, String authorization, Action action) {
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        Optional<String> user = tokens.user(token);
        if (user.isEmpty()) {
            long wait = tokens.failed(address);
            if (wait > 0) {
                ex.getMessage().setHeader("Retry-After", String.valueOf(wait));
                return error(429, "too many failed authentications from " + address + "; try again in " + wait + " s",
                        "Authorization");
            }
            LOG.warn("HTTP: refused a request from {} ({} bearer token)", address, token == null ? "no" : "an unknown");
            Response r = error(401, token == null ? "a bearer token is required (Authorization: Bearer <token>)"
                    : "the bearer token is not known", "Authorization");
            ex.getMessage().setHeader("WWW-Authenticate", "Bearer");
            return r;
        }
        return action.apply(user.get(), ex);
    }

    private static int status(RequestRejected.Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNAVAILABLE -> 503;
        };
    }

    /** The message without the paths of the server's configuration (the environments file, its directory). */
    private String withoutConfigPaths(String message) {
        if (config.file() == null || config.file().isBlank()) return message;
        String file = config.file();
        String out = message.replace(" (not in " + file + ")", "").replace(file, "the environments file");
        java.nio.file.Path dir = java.nio.file.Path.of(file).toAbsolutePath().getParent();
        return dir == null ? out : out.replace(dir.toString(), "the configuration directory");
    }

    /**
     * Answers an unknown path (404) and a method a path does not take (405) in the API's JSON error shape instead
     * of the web server's HTML or empty body; called once the HTTP server is up.
     */
    public static void installErrorAnswers(org.apache.camel.CamelContext context) {
        installErrorAnswers(context, -1);
    }

    /**
     * As {@link #installErrorAnswers(org.apache.camel.CamelContext)}, and the web server's own refusal of a body far
     * over the limit (its body handler fails the request with 413 before any route sees it, camel.server.maxBodySize)
     * in the same JSON shape as the API's own 413, field {@code body}, naming {@code maxBodyBytes}.
     */
    public static void installErrorAnswers(org.apache.camel.CamelContext context, int maxBodyBytes) {
        var routers = context.getRegistry().findByType(org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter.class);
        if (routers.isEmpty()) LOG.warn("no platform-http router: unknown paths are answered by the web server's defaults");
        for (var router : routers) {
            installErrorAnswers(router);
            // the body handler fails the request in this (sub)router: a failure handler of its own answers it (the
            // main router's error handler, where the plain text comes from, is not reachable)
            router.route().failureHandler(rc -> {
                if (rc.statusCode() != 413 || rc.response().ended()) {
                    rc.next();
                    return;
                }
                rc.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close") // the rest of the body is not read
                        .end(Json.compact(error(413, "body: more than the limit" + (maxBodyBytes > 0
                                ? " of " + maxBodyBytes + " bytes" : ""), "body").body()));
            });
        }
    }

    /**
     * A last route, after every other whatever its registration time: a path some route serves with other methods is
     * answered 405 with {@code Allow}, any other 404 (the web server's own answers are HTML and an empty body).
     */
    private static void installErrorAnswers(io.vertx.ext.web.Router router) {
        router.route().last().handler(rc -> {
            String path = rc.normalizedPath();
            java.util.Set<String> allowed = new java.util.TreeSet<>();
            for (io.vertx.ext.web.Route r : router.getRoutes()) {
                if (r.getPath() != null && r.methods() != null && servesPath(r.getPath(), path)) {
                    r.methods().forEach(m -> allowed.add(m.name()));
                }
            }
            if (allowed.isEmpty()) {
                answer(rc, 404, "no such path: " + path + " (the API is under /api/v1, its OpenAPI document at /api/v1/openapi.json)");
            } else {
                rc.response().putHeader("Allow", String.join(", ", allowed));
                answer(rc, 405, rc.request().method() + " is not a method of " + path + " (it takes " + String.join(", ", allowed) + ")");
            }
        });
    }

    /** A route's path ({@code /api/v1/runs/:id}, {@code /observe/*}) against a request's. */
    static boolean servesPath(String route, String path) {
        if (route.endsWith("*")) return path.startsWith(route.substring(0, route.length() - 1));
        String[] r = route.split("/", -1);
        String[] p = path.split("/", -1);
        if (r.length != p.length) return false;
        for (int i = 0; i < r.length; i++) {
            if (r[i].startsWith(":") ? p[i].isEmpty() : !r[i].equals(p[i])) return false;
        }
        return true;
    }

    private static void answer(io.vertx.ext.web.RoutingContext rc, int status, String message) {
        if (rc.response().ended()) return;
        rc.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(Json.compact(error(status, message, null).body()));
    }

    private static Response error(int status, String message, String field) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        if (field != null) m.put("field", field);
        m.put("status", status);
        return new Response(status, m, null);
    }

    private static void respond(Exchange ex, Response r) {
        boolean challenge = ex.getMessage().getHeader("WWW-Authenticate") != null;
        Object retryAfter = ex.getMessage().getHeader("Retry-After");
        ex.getMessage().removeHeaders("*"); // nothing of the request (query parameters included) goes back as a header
        if (challenge) ex.getMessage().setHeader("WWW-Authenticate", "Bearer");
        if (retryAfter != null) ex.getMessage().setHeader("Retry-After", retryAfter);
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, r.status());
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (r.location() != null) ex.getMessage().setHeader("Location", r.location());
        ex.getMessage().setBody(Json.compact(r.body()));
    }

    private static String remoteAddress(Exchange ex) {
        Object a = ex.getMessage().getHeader(REMOTE);
        if (a == null) return "unknown";
        String s = String.valueOf(a);
        int colon = s.lastIndexOf(':');
        return colon > 0 ? s.substring(0, colon) : s;
    }

    /**
     * The host:port the OpenAPI document's servers entry names (http-api.camel.yaml, api property host): the
     * configured http.host and http.port, with localhost for a wildcard address (0.0.0.0 or ::) no client can call.
     */
    public static String documentedHost(String httpHost, int httpPort) {
        String host = httpHost.trim();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) host = "localhost";
        else if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
        return host + ":" + httpPort;
    }
}
