"""A non-Java client of the embedded broker's AMQP 1.0 acceptor (Debian's python3-qpid-proton), for JmsAmqpTest.

usage: request.py PORT USER PASSWORD BODY   (USER '' = an anonymous connection, SASL ANONYMOUS)
Prints one JSON line: {"connected": false, "error": ...} or {"connected": true, "reply": {"correlation_id", "body"}}.
The request goes to queue://odoo-ops.requests with the reply-to queue://odoo-ops.replies.<uuid>, received first.
"""
import json
import sys
import uuid

from proton import Message
from proton.utils import BlockingConnection

port, user, password, body = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
url = "amqp://127.0.0.1:%d" % port
try:
    if user:
        conn = BlockingConnection(url, user=user, password=password, allowed_mechs="PLAIN", timeout=20)
    else:
        conn = BlockingConnection(url, allowed_mechs="ANONYMOUS", timeout=20)
    replies = "queue://odoo-ops.replies." + uuid.uuid4().hex
    receiver = conn.create_receiver(replies)
    sender = conn.create_sender("queue://odoo-ops.requests")
except Exception as e:  # SASL refused or the link refused
    print(json.dumps({"connected": False, "error": type(e).__name__ + " " + str(e)}))
    sys.exit(0)
sender.send(Message(body=body, reply_to=replies, correlation_id="python-amqp-1", content_type="application/json"))
try:
    m = receiver.receive(timeout=60)
    receiver.accept()
    reply = {"correlation_id": str(m.correlation_id), "body": m.body if isinstance(m.body, str) else bytes(m.body).decode()}
    out = {"connected": True, "reply": reply}
except Exception as e:
    out = {"connected": True, "reply": None, "error": type(e).__name__ + " " + str(e)}
conn.close()
print(json.dumps(out))
