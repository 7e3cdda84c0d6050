"""A real SMTP server on 127.0.0.1 for the mail queue tests (aiosmtpd in a thread).

It refuses the first `refuse_first` messages (or all, with `refuse_first=None`) with
`refusal`, then accepts and records each one: the tests count what reached the server.
"""

import email
import email.policy
import logging
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller

from tests.processes import free_port

# aiosmtpd logs every command it reads at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class Received:
    to: list[str]
    subject: str
    body: str


class FakeMailServer:
    def __init__(self, *, refuse_first: int | None = 0, refusal: str = "451 4.3.0 Try again later") -> None:
        self.refuse_first = refuse_first
        self.refusal = refusal
        self.attempts = 0  # every message offered, refused or not
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.attempts += 1
            if self.refuse_first is None or self.attempts <= self.refuse_first:
                return self.refusal
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(
                Received(to=list(envelope.rcpt_tos), subject=str(message["Subject"]), body=message.get_content())
            )
        return "250 2.0.0 OK"

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(address for message in self.received for address in message.to)

    def start(self) -> "FakeMailServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
