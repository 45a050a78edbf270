package dev.odooops.service;

import dev.odooops.config.Secret;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import dev.odooops.exec.CrashPoints;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.component.jms.JmsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The JMS channel (camel-jms on ActiveMQ Artemis, the route in routes/service/jms.camel.yaml): a request message on {@code jms.request-queue} starts the
 * operation it names, like an inbox file (a JSON object with {@code operation}, the HTTP request's fields and
 * an optional {@code user}).
 * <ul>
 *   <li><b>Request/reply:</b> a message with {@code JMSReplyTo} is answered, with its {@code JMSCorrelationID}, by
 *   the <em>accepted</em> reply {@code {"run_id", "status": "queued"}} (a backup or restore takes minutes to hours:
 *   follow the run with {@code GET /api/v1/runs/{id}}), or by the refusal {@code {"error", "field"}}.</li>
 *   <li><b>Acknowledged only once recorded:</b> the consumer is transacted; the message is committed after the
 *   queued run is recorded, so a process killed in between gets the message redelivered (the request id
 *   {@code jms:<JMSMessageID>}, unless the message gives one, keeps a redelivery from running twice).</li>
 *   <li><b>Malformed or refused</b> messages go to {@code <queue>.dlq} with the reason in the string property
 *   {@code OdooOpsError}, once (not redelivered); so does a request whose reply cannot be delivered.</li>
 *   <li><b>The broker:</b> embedded (Artemis on {@code 127.0.0.1:jms.embedded-port}, persistent journal in
 *   {@code jms.embedded-data-dir}; with {@code jms.embedded-stomp-port} a STOMP acceptor and with
 *   {@code jms.embedded-amqp-port} an AMQP 1.0 acceptor on 127.0.0.1 for non-Java clients, same users, roles and
 *   JMSXUserID stamp ({@link ValidatedUserStamp}); their reply-to {@code /queue/x} or {@code queue://x} is the queue
 *   {@code x}, and they may make reply queues under {@link #REPLY_QUEUES}) unless {@code jms.broker-url} names an external one ({@code jms.user},
 *   password from the variable {@code jms.password-env}).</li>
 *   <li><b>Who asks:</b> the embedded broker admits only the odoo-ops users that have a {@code jms_password} (or
 *   an {@code api_token}: it is then the password), never an anonymous connection, and stamps each message with
 *   its connection's user ({@code JMSXUserID}, Artemis's populate-validated-user). A request runs as that user:
 *   a {@code user} field naming anyone else is refused (field {@code user}), and a message the broker did not
 *   stamp is refused too. Clients may send to the request queue, make temporary reply queues and browse the
 *   dead-letter queue; only odoo-ops itself (a user made afresh at each start) consumes requests. An external
 *   broker must authenticate its clients and populate the validated user in the same way.</li>
 * </ul>
 * Several serve instances on one broker all consume the queue; each message goes to one of them.
 */
public final class JmsChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JmsChannel.class);
    public static final String ERROR_PROPERTY = "OdooOpsError";

    /** The JMS property in which the broker names the authenticated user of a message's connection. */
    public static final String VALIDATED_USER = "JMSXUserID";
    static final String CLIENT_ROLE = "odoo-ops-client";
    /** The address prefix of the reply queues non-Java clients make for themselves ({@code /queue/odoo-ops.replies.x}). */
    public static final String REPLY_QUEUES = "odoo-ops.replies";
    private static final String SERVICE_ROLE = "odoo-ops-service";

    private final RunQueue queue;
    private final ServiceSettings settings;
    private final Map<String, Secret> users;
    private final Function<String, String> env;
    private EmbeddedActiveMQ broker;
    private String url;

    /** @param users the odoo-ops users that may sign in to the embedded broker, with their passwords */
    public JmsChannel(RunQueue queue, ServiceSettings settings, Map<String, Secret> users, Function<String, String> env) {
        this.queue = queue;
        this.settings = settings;
        this.users = Map.copyOf(users);
        this.env = env;
    }

    /** The broker's address, for the start-up summary (no credentials). */
    public String address() {
        return (broker != null ? "embedded " : "") + url
                + (broker != null && settings.jmsEmbeddedStompPort() > 0 ? " (STOMP 127.0.0.1:" + settings.jmsEmbeddedStompPort() + ")" : "")
                + (broker != null && settings.jmsEmbeddedAmqpPort() > 0 ? " (AMQP 127.0.0.1:" + settings.jmsEmbeddedAmqpPort() + ")" : "")
                + " queue " + settings.jmsRequestQueue();
    }

    /**
     * Starts the embedded broker when no external one is configured, and adds the {@code jms} component the consumer
     * route (routes/service/jms.camel.yaml) reads with.
     */
    public void install(CamelContext context) throws Exception {
        String user = settings.jmsUser();
        String password = null;
        if (settings.jmsBrokerUrl() == null) {
            // odoo-ops's own consumer signs in as a user of this process alone
            user = SERVICE_ROLE + "-" + java.util.UUID.randomUUID();
            password = new java.math.BigInteger(256, new java.security.SecureRandom()).toString(36);
            startEmbedded(user, password);
            url = "tcp://127.0.0.1:" + settings.jmsEmbeddedPort();
        } else {
            url = settings.jmsBrokerUrl();
            password = env.apply(settings.jmsPasswordEnv());
        }
        ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url, user, password);
        JmsComponent jms = JmsComponent.jmsComponentTransacted(cf);
        context.addComponent("jms", jms);
        // the consumer route is routes/service/jms.camel.yaml (jms:queue:{{jms.request-queue}} -> handle)
    }

    private void startEmbedded(String serviceUser, String servicePassword) throws Exception {
        Files.createDirectories(settings.jmsDataDir());
        Configuration c = new ConfigurationImpl();
        c.setName("odoo-ops");
        c.setPersistenceEnabled(true);
        c.setSecurityEnabled(true);
        c.setPopulateValidatedUser(true); // JMSXUserID: who sent the message, whatever its body says
        c.registerBrokerPlugin(new ValidatedUserStamp()); // ... for AMQP 1.0 messages too
        String requests = settings.jmsRequestQueue();
        // the most specific match applies: clients send requests, make and read their temporary reply queues,
        // and browse the dead-letter queue; only the service consumes requests
        Role service = new Role(SERVICE_ROLE, true, true, true, true, true, true, false, true, true, true, false, false);
        c.putSecurityRoles("#", Set.of(service, role(CLIENT_ROLE, true, true, false)));
        c.putSecurityRoles(requests, Set.of(service, role(CLIENT_ROLE, true, false, false)));
        c.putSecurityRoles(requests + ".dlq", Set.of(service, role(CLIENT_ROLE, false, false, true)));
        // a STOMP or AMQP client's own reply queue (/queue/odoo-ops.replies.<unguessable>): the broker creates it
        // durable when the client subscribes, so clients may create, read and delete queues here (not elsewhere)
        c.putSecurityRoles(REPLY_QUEUES + ".#", Set.of(service,
                new Role(CLIENT_ROLE, true, true, true, true, true, true, false, true, true, true, false, false)));
        c.setJournalDirectory(settings.jmsDataDir().resolve("journal").toString());
        c.setBindingsDirectory(settings.jmsDataDir().resolve("bindings").toString());
        c.setPagingDirectory(settings.jmsDataDir().resolve("paging").toString());
        c.setLargeMessagesDirectory(settings.jmsDataDir().resolve("large-messages").toString());
        // each acceptor speaks only its own protocol (an acceptor without protocols= takes every protocol on the
        // class path, STOMP included); both listen on loopback and share the security above
        c.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + settings.jmsEmbeddedPort() + "?protocols=CORE");
        // STOMP and AMQP clients name queues and topics by prefix (/queue/x, /topic/x; queue://x, topic://x for
        // AMQP): the prefix picks the routing type and is stripped from the address
        if (settings.jmsEmbeddedStompPort() > 0) {
            c.addAcceptorConfiguration("stomp", "tcp://127.0.0.1:" + settings.jmsEmbeddedStompPort()
                    + "?protocols=STOMP;anycastPrefix=/queue/;multicastPrefix=/topic/");
        }
        if (settings.jmsEmbeddedAmqpPort() > 0) {
            c.addAcceptorConfiguration("amqp", "tcp://127.0.0.1:" + settings.jmsEmbeddedAmqpPort()
                    + "?protocols=AMQP;anycastPrefix=queue://;multicastPrefix=topic://");
        }
        String dlq = settings.jmsRequestQueue() + ".dlq";
        // a message that fails 10 times (odoo-ops could not record it: the catalog down) ends in the dead-letter queue
        c.addAddressSetting("#", new AddressSettings().setMaxDeliveryAttempts(10).setRedeliveryDelay(1000)
                .setDeadLetterAddress(org.apache.activemq.artemis.api.core.SimpleString.of(dlq))
                .setExpiryAddress(org.apache.activemq.artemis.api.core.SimpleString.of(dlq)));
        // the request queue and its dead-letter queue exist from the start: a client may send before odoo-ops's
        // consumer is up, and clients may not create queues
        for (String queue : java.util.List.of(requests, dlq)) {
            c.addAddressConfiguration(new org.apache.activemq.artemis.core.config.CoreAddressConfiguration().setName(queue)
                    .addRoutingType(org.apache.activemq.artemis.api.core.RoutingType.ANYCAST)
                    .addQueueConfig(org.apache.activemq.artemis.api.core.QueueConfiguration.of(queue)
                            .setRoutingType(org.apache.activemq.artemis.api.core.RoutingType.ANYCAST).setDurable(true)));
        }
        SecurityConfiguration accounts = new SecurityConfiguration();
        accounts.addUser(serviceUser, servicePassword);
        accounts.addRole(serviceUser, SERVICE_ROLE);
        for (Map.Entry<String, Secret> u : users.entrySet()) {
            accounts.addUser(u.getKey(), u.getValue().reveal());
            accounts.addRole(u.getKey(), CLIENT_ROLE);
        }
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(c);
        broker.setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), accounts));
        broker.start();
        LOG.info("embedded Artemis broker on tcp://127.0.0.1:{}{}{} (journal in {}; {} user(s) may sign in: {})",
                settings.jmsEmbeddedPort(), settings.jmsEmbeddedStompPort() > 0
                        ? ", STOMP on 127.0.0.1:" + settings.jmsEmbeddedStompPort() : "",
                settings.jmsEmbeddedAmqpPort() > 0 ? ", AMQP 1.0 on 127.0.0.1:" + settings.jmsEmbeddedAmqpPort() : "",
                settings.jmsDataDir(), users.size(), String.join(", ", users.keySet()));
    }

    /**
     * A client's Artemis role on an address: {@code send}, {@code temporary} (create, read and delete non-durable
     * queues and their addresses: the reply queues) and {@code browse}; never manage, never a durable queue.
     */
    private static Role role(String name, boolean send, boolean temporary, boolean browse) {
        return new Role(name, send, temporary, false, false, temporary, temporary, false, browse, temporary, temporary,
                false, false);
    }

    /** One request message: the accepted reply, or the refusal (also sent to the dead-letter queue). */
    public void handle(Exchange exchange) {
        CrashPoints.reached("jms:received"); // received, not yet recorded: the message must be redelivered
        String body = exchange.getMessage().getBody(String.class);
        exchange.setProperty("odooOpsRequestBody", body);
        String messageId = messageId(exchange);
        exchange.getMessage().removeHeaders("Camel*");
        Map<String, Object> reply;
        try {
            Map<String, Object> fields = Submission.read(body == null ? null : body.getBytes(StandardCharsets.UTF_8), false, "body");
            Submission s = Submission.asPrincipal(fields, sender(exchange), "jms",
                    messageId == null ? null : "jms:" + messageId.replaceAll("[^A-Za-z0-9._:-]", "-"));
            RunQueue.Accepted accepted = queue.submit(s);
            reply = new LinkedHashMap<>(accepted.toJson());
            LOG.info("jms: message {} accepted as {} run {}", messageId, s.operation(), accepted.runId());
        } catch (RequestRejected r) {
            reply = new LinkedHashMap<>();
            reply.put("error", r.getMessage());
            reply.put("field", r.field());
            LOG.warn("jms: message {} refused: {}", messageId, r.getMessage());
            exchange.setProperty(ERROR_PROPERTY, r.getMessage());
            exchange.setProperty("odooOpsOriginalBody", body);
        }
        String json = Json.compact(reply);
        exchange.setProperty("odooOpsReply", json);
        exchange.getMessage().setBody(json);
        replyTo(exchange);
    }

    /**
     * Where the reply goes, set as the exchange property {@code odooOpsReplyTo} (a {@link jakarta.jms.Destination};
     * none when the message has no reply-to), with the correlation id in {@code odooOpsCorrelationId}: the request's
     * JMSCorrelationID, else its JMSMessageID (what a JMS requestor matches). A STOMP client's {@code reply-to}
     * arrives as the raw text it sent: {@code /queue/x} is the queue {@code x} and {@code /topic/x} the topic
     * {@code x} (the STOMP acceptor's prefixes), like {@code queue://x} and {@code topic://x} of an AMQP client;
     * a name without prefix keeps Artemis's own reading (the address, multicast).
     */
    static void replyTo(Exchange exchange) {
        if (!(exchange.getMessage() instanceof JmsMessage m) || m.getJmsMessage() == null) return;
        try {
            jakarta.jms.Message request = m.getJmsMessage();
            jakarta.jms.Destination d = request.getJMSReplyTo();
            if (d == null) return;
            exchange.setProperty("odooOpsReplyTo", replyDestination(d));
            String correlation = request.getJMSCorrelationID();
            exchange.setProperty("odooOpsCorrelationId", correlation != null ? correlation : request.getJMSMessageID());
        } catch (jakarta.jms.JMSException e) {
            LOG.warn("jms: the reply-to of message {} is unreadable: {}", messageId(exchange), e.getMessage());
        }
    }

    /** A reply-to destination, its protocol prefix read as a queue or a topic. */
    static jakarta.jms.Destination replyDestination(jakarta.jms.Destination d) {
        if (!(d instanceof org.apache.activemq.artemis.jms.client.ActiveMQDestination a) || a.isTemporary()) return d;
        String address = a.getAddress();
        for (String prefix : java.util.List.of("/queue/", "queue://")) {
            if (address.startsWith(prefix) && address.length() > prefix.length()) {
                return org.apache.activemq.artemis.jms.client.ActiveMQDestination.createQueue(address.substring(prefix.length()));
            }
        }
        for (String prefix : java.util.List.of("/topic/", "topic://")) {
            if (address.startsWith(prefix) && address.length() > prefix.length()) {
                return org.apache.activemq.artemis.jms.client.ActiveMQDestination.createTopic(address.substring(prefix.length()));
            }
        }
        return d;
    }

    /**
     * Makes the message the reply: the JSON answer, the correlation id, and the reply-to as the JMS destination
     * ({@code CamelJmsDestination}); the request's own headers are dropped.
     */
    public void reply(Exchange exchange) {
        org.apache.camel.Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setBody(exchange.getProperty("odooOpsReply", String.class));
        Object to = exchange.getProperty("odooOpsReplyTo");
        if (to instanceof jakarta.jms.Queue q) {
            try {
                if (q.getQueueName().equals(settings.jmsRequestQueue()) || q.getQueueName().equals(settings.jmsRequestQueue() + ".dlq")) {
                    // a reply there would be read as a request (or hide among the dead letters)
                    throw new IllegalArgumentException("the reply-to is odoo-ops's own queue " + q.getQueueName());
                }
            } catch (jakarta.jms.JMSException e) {
                throw new IllegalArgumentException("the reply-to is unreadable: " + e.getMessage(), e);
            }
        }
        Object correlation = exchange.getProperty("odooOpsCorrelationId");
        if (correlation != null) out.setHeader("JMSCorrelationID", correlation);
        out.setHeader(org.apache.camel.component.jms.JmsConstants.JMS_DESTINATION, exchange.getProperty("odooOpsReplyTo"));
    }

    /**
     * A reply that could not be delivered (the reply-to names an address the service may not send to, or none
     * that exists): the request is kept in the dead-letter queue with the reason, not redelivered; its run, if
     * accepted, stays queued (the reply said so only).
     */
    public void undeliverable(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = "reply: not delivered to " + exchange.getProperty("odooOpsReplyTo") + ": "
                + (e == null ? "unknown error" : e.getMessage());
        LOG.warn("jms: {}", reason);
        org.apache.camel.Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(ERROR_PROPERTY, reason);
        out.setBody(exchange.getProperty("odooOpsRequestBody", String.class));
    }

    /**
     * The message's id: its JMSMessageID, set by a JMS client; a STOMP client's message has none, so the broker's
     * own id of the stored message (the same on a redelivery) stands in for it.
     */
    private static String messageId(Exchange exchange) {
        String id = exchange.getMessage().getHeader("JMSMessageID", String.class);
        if (id == null && exchange.getMessage() instanceof JmsMessage m
                && m.getJmsMessage() instanceof org.apache.activemq.artemis.jms.client.ActiveMQMessage a
                && a.getCoreMessage() != null) {
            id = "core-" + a.getCoreMessage().getMessageID();
        }
        return id;
    }

    /**
     * The user the broker authenticated for the message's connection ({@link #VALIDATED_USER}, read from the JMS
     * message itself, never from a Camel header a client could have set).
     */
    private static String sender(Exchange exchange) {
        String user = null;
        if (exchange.getMessage() instanceof JmsMessage m && m.getJmsMessage() != null) {
            try {
                user = m.getJmsMessage().getStringProperty(VALIDATED_USER);
            } catch (jakarta.jms.JMSException e) {
                user = null;
            }
        }
        if (user == null || user.isBlank()) {
            throw new RequestRejected("user", "the broker did not name who sent this message (" + VALIDATED_USER
                    + "): only messages of an authenticated connection are taken", RequestRejected.Reason.FORBIDDEN);
        }
        return user;
    }

    /** For readiness: the embedded broker is active (an external one: its consumer route is started). */
    public boolean up(CamelContext context) {
        if (broker != null) return broker.getActiveMQServer() != null && broker.getActiveMQServer().isActive();
        return context.getRouteController().getRouteStatus("jms-requests") != null
                && context.getRouteController().getRouteStatus("jms-requests").isStarted();
    }

    /** Stops the embedded broker (after the Camel context, whose consumers use it). */
    @Override
    public void close() {
        if (broker == null) return;
        try {
            broker.stop();
        } catch (Exception e) {
            LOG.warn("stopping the embedded broker: {}", e.getMessage());
        }
        broker = null;
    }
}
