"""Command line: ``python -m airflow_provider_hubassoc.emulator [options]``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from airflow_provider_hubassoc.emulator.config import BATCH_LIMITS, MAX_GET_LIMIT, EmulatorConfig
from airflow_provider_hubassoc.emulator.server import EmulatorServer

_EPILOG = (
    "Input limits per request: "
    + ", ".join(f"{k}={v}" for k, v in BATCH_LIMITS.items())
    + f"; GET list limit <= {MAX_GET_LIMIT}. Over-limit requests get 400 VALIDATION_ERROR. "
    "Record ids are created on first use (--auto-create-records) by default only without --seed. "
    "Fault kinds: 429, 500, 502, 503, 504, reset, delay (applied after the delay), row_error."
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the emulator CLI."""
    p = argparse.ArgumentParser(
        prog="python -m airflow_provider_hubassoc.emulator",
        description="Local HubSpot CRM Associations v4 emulator (records and schema APIs).",
        epilog=_EPILOG,
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port (printed when ready)")
    p.add_argument("--token", action="append", dest="tokens", metavar="TOKEN", help="accepted bearer token")
    p.add_argument("--seed", help="'demo' or a JSON seed file")
    p.add_argument("--portal-id", type=int, default=EmulatorConfig.portal_id)
    p.add_argument("--requests-per-10s", type=int)
    p.add_argument("--daily-limit", type=int)
    p.add_argument(
        "--retry-after",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="send Retry-After on 429 (HubSpot documents none; off by default)",
    )
    p.add_argument("--faults", help='e.g. "429=0.05,500=0.02,reset=0.01,delay=0.01,row_error=0.01"')
    p.add_argument("--fault-seed", type=int, default=0)
    p.add_argument("--fault-delay-seconds", type=float, default=35.0)
    p.add_argument("--page-size", type=int, default=500)
    p.add_argument("--label-writes", choices=("set", "add"), default="set")
    p.add_argument("--auto-create-records", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--oauth-client-id")
    p.add_argument("--oauth-client-secret")
    p.add_argument("--oauth-refresh-token")
    p.add_argument("--oauth-token-lifetime", type=int, default=1800)
    p.add_argument("--log-level", default="WARNING")
    return p


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """Build the config from parsed arguments.

    :param args: Parsed CLI arguments.
    """
    return EmulatorConfig(
        tokens=tuple(args.tokens) if args.tokens else ("emulator-token",),
        seed=args.seed,
        portal_id=args.portal_id,
        requests_per_10s=args.requests_per_10s,
        daily_limit=args.daily_limit,
        retry_after=args.retry_after,
        faults=args.faults,
        fault_seed=args.fault_seed,
        fault_delay_seconds=args.fault_delay_seconds,
        page_size=args.page_size,
        label_writes=args.label_writes,
        oauth_client_id=args.oauth_client_id,
        oauth_client_secret=args.oauth_client_secret,
        oauth_refresh_token=args.oauth_refresh_token,
        oauth_token_lifetime=args.oauth_token_lifetime,
        auto_create_records=args.auto_create_records,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run until SIGINT or SIGTERM.

    :param argv: Arguments (defaults to ``sys.argv[1:]``).
    :return: Process exit code.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server = EmulatorServer(config, host=args.host, port=args.port)
    server.start()
    print(f"HubSpot emulator listening on {server.url}", flush=True)
    try:
        while not stop.wait(0.2):
            if not server.running:
                return 1
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
