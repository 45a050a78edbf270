"""A non-Java client of the embedded broker's STOMP acceptor (Debian's python3-stomp), for JmsStompTest.

usage: request.py PORT USER PASSWORD BODY [STYLE]   (USER '' = an anonymous connection)
STYLE plain (default): destinations by bare name; queue: /queue/odoo-ops.requests and a reply-to /queue/<name>;
loop: the reply-to is the request queue itself (no reply is awaited).
Prints one JSON line: {"connected": false, "error": ...} or {"connected": true, "reply": {...headers, body}}.
The request goes to odoo-ops.requests with a reply-to destination this client subscribed to first.
"""
import json
import sys
import threading
import uuid

import stomp

port, user, password, body = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
style = sys.argv[5] if len(sys.argv) > 5 else "plain"
prefix = "/queue/" if style in ("queue", "loop") else ""


class Listener(stomp.ConnectionListener):
    def __init__(self):
        self.reply = None
        self.error = None
        self.done = threading.Event()

    def on_message(self, frame):
        self.reply = {"headers": dict(frame.headers), "body": frame.body}
        self.done.set()

    def on_error(self, frame):
        self.error = frame.headers.get("message", "") + " " + (frame.body or "")
        self.done.set()


conn = stomp.Connection12([("127.0.0.1", port)], reconnect_attempts_max=1, heartbeats=(0, 0))
listener = Listener()
conn.set_listener("l", listener)
try:
    if user:
        conn.connect(user, password, wait=True)
    else:
        conn.connect(wait=True)
except Exception as e:  # the broker answered CONNECT with an ERROR frame and closed the connection
    print(json.dumps({"connected": False, "error": (listener.error or "") + " " + type(e).__name__ + " " + str(e)}))
    sys.exit(0)
if not conn.is_connected():
    print(json.dumps({"connected": False, "error": listener.error or "not connected"}))
    sys.exit(0)

replies = prefix + "odoo-ops.replies." + uuid.uuid4().hex
conn.subscribe(destination=replies, id="replies", ack="auto", headers={"receipt": "subscribed"})
conn.send(destination=prefix + "odoo-ops.requests", body=body, content_type="application/json",
          headers={"reply-to": "/queue/odoo-ops.requests" if style == "loop" else replies, "correlation-id": "python-1", "JMSXUserID": "operator",
                   "receipt": "sent"})
listener.done.wait(2 if style == "loop" else 60)
out = {"connected": True, "reply": listener.reply, "error": listener.error}
conn.disconnect()
print(json.dumps(out))
