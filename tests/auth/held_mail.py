"""A mail backend that holds every message until the test lets it go, as a slow SMTP server
does; what it sent, and when, is in `events`."""

import threading

from flask_mailman.backends.base import BaseEmailBackend

released = threading.Event()
events: list[str] = []


class EmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        released.wait(timeout=5)
        events.extend(f"sent {', '.join(message.to)}" for message in messages)
        return len(messages)
