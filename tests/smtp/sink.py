#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for the e-mail tests, built on aiosmtpd.

It requires AUTH (PLAIN or LOGIN) with --user and --password (none without them), refuses recipients at
refused.example for good (550) and those at busy.example for now (451), and prints each
accepted message as one JSON line on stdout: {"mail_from", "rcpt_tos", "data", "parts"}, where
"parts" holds each leaf MIME part decoded by Python's own e-mail parser:
{"content_type", "filename", "text"}. The first line
is "READY <port>".
"""
import argparse
import email
import email.policy
import json
import socket
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rsplit("@", 1)[-1].lower()
        if domain == "refused.example":
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if domain == "busy.example":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = [
            {
                "content_type": part.get_content_type(),
                "filename": part.get_filename(),
                "text": part.get_payload(decode=True).decode("utf-8", "replace"),
            }
            for part in message.walk()
            if not part.is_multipart()
        ]
        print(
            json.dumps(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "data": envelope.content.decode("utf-8", "replace"),
                    "parts": parts,
                }
            ),
            flush=True,
        )
        return "250 2.0.0 Message accepted for delivery"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    port = free_port()
    login = args.user is not None
    controller = Controller(
        Sink(),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator(args.user, args.password) if login else None,
        auth_required=login,
        auth_require_tls=False,
    )
    controller.start()
    print("READY %d" % port, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
