"""What the ordered steps of the form tests hand to each other, and the tokens they use."""

from __future__ import annotations

from dataclasses import dataclass

GOOD_TOKEN = "pat-na1-ui-test-good-token"
WRONG_TOKEN = "pat-na1-ui-test-wrong-token"


@dataclass
class Flow:
    """State handed from one step of the form tests to the next."""

    conn_id: str = "hubassoc_ui"
    saved: bool = False
    client_secret: str = "ui-client-secret-d7b1c0"
    refresh_token: str = "ui-refresh-token-5e9a44"
    #: Airflow 3.3.1/3.3.2 answer the list's Test button with 400 for a connection without a port
    #: (apache/airflow#73298); set when the test saw it, so the request shim is used from then on.
    port_bug_seen: bool = False
