package dev.odooops.service;

import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;

/**
 * A plugin of the embedded broker: every message a client sends carries its connection's authenticated user in
 * {@code _AMQ_VALIDATED_USER} (JMS's {@code JMSXUserID}), whatever the client put there. Artemis's
 * populate-validated-user does so for core and STOMP messages but not for AMQP 1.0 messages (their user lives in
 * the message's own properties); this stamp makes the sender known for every protocol.
 */
final class ValidatedUserStamp implements ActiveMQServerMessagePlugin {
    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue)
            throws ActiveMQException {
        String user = session == null ? null : session.getValidatedUser();
        if (user == null || user.isBlank()) {
            message.removeProperty(Message.HDR_VALIDATED_USER);
        } else {
            message.putStringProperty(Message.HDR_VALIDATED_USER, org.apache.activemq.artemis.api.core.SimpleString.of(user));
        }
        message.reencode();
    }
}
