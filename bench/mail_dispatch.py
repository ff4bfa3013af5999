"""Benchmark: dispatch 1,000 messages through the fake Microsoft Graph with JSON batching.

Prints the number of HTTP requests Graph received, the token requests, and the elapsed seconds.
Run from the repository root: ``.venv/bin/python bench/mail_dispatch.py [--messages N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# The fake lives in the test tree; make the repository root importable when run as a script.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.graph_server import FakeGraphServer
from tracker.mail.graph import GraphTransport
from tracker.mail.message import OutgoingMessage


def make_messages(count: int) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            to=(f"owner{n}@example.org",),
            subject=f"Please update action P{n % 5 + 1}.{n % 9 + 1} before the Board – 🚦",
            text=f"Your action needs its RAG update (reminder {n}).\n",
            html=f"<p>Your action needs its <b>RAG update</b> (reminder {n}).</p>",
            message_id=f"<outbox-{n}@send-tracker>",
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    count = parser.parse_args().messages
    messages = make_messages(count)
    with FakeGraphServer() as graph:
        transport = GraphTransport(**graph.transport_options())
        started = time.perf_counter()
        results = transport.send(messages)
        elapsed = time.perf_counter() - started
        sent = sum(result.ok for result in results)
        print(f"messages sent:          {sent} / {count}")
        print(f"graph HTTP requests:    {len(graph.graph_requests)}")
        print(f"token requests:         {len(graph.token_requests)}")
        print(f"elapsed seconds:        {elapsed:.2f}")
        print(f"messages per second:    {count / elapsed:.0f}")


if __name__ == "__main__":
    main()
