"""Command line: ``python -m airflow_provider_hubassoc.demo {build,dags}``.

``build DIR`` writes the demo warehouse (``DIR/warehouse.db``, SQLite) and the emulator seed
(``DIR/emulator_seed.json``) that holds every record the warehouse and the example DAGs name, then
prints the commands that start the emulator with that seed and create the two connections.
``dags DIR`` copies the example DAGs into a DAGs folder.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from airflow_provider_hubassoc.demo import EXAMPLE_DAGS_FOLDER
from airflow_provider_hubassoc.demo.data import build_demo_data


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the demo CLI."""
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_hubassoc.demo",
        description="Build the demo warehouse and emulator seed, or copy the example DAGs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write warehouse.db and emulator_seed.json into DIR")
    build.add_argument("directory", type=Path)
    build.add_argument("--scale", type=float, default=1.0, help="multiplies every data size (default 1)")
    dags = commands.add_parser("dags", help="copy the example DAGs into DIR (a DAGs folder)")
    dags.add_argument("directory", type=Path)
    return parser


def copy_example_dags(target: Path) -> list[Path]:
    """Copy the example DAG files into ``target`` (created if needed); return the copies.

    :param target: a DAGs folder.
    """
    target.mkdir(parents=True, exist_ok=True)
    copies = []
    for source in sorted(EXAMPLE_DAGS_FOLDER.glob("hubassoc_*.py")):
        copies.append(Path(shutil.copy2(source, target / source.name)))
    return copies


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status.

    :param argv: the arguments (default: ``sys.argv[1:]``).
    """
    args = build_parser().parse_args(argv)
    directory: Path = args.directory.resolve()
    if args.command == "dags":
        for copy in copy_example_dags(directory):
            print(f"copied {copy}")
        return 0
    data = build_demo_data(directory, scale=args.scale)
    print(", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in data.counts.items()))
    print(f"warehouse: {data.warehouse}")
    print(f"emulator seed: {data.seed}")
    print("Next (see the README's 'Run the examples in your Airflow'):")
    print(f"  python -m airflow_provider_hubassoc.emulator --seed {data.seed} --token emulator-token")
    print(
        "  airflow connections add hubassoc_default --conn-type hubassoc "
        "--conn-host http://127.0.0.1:8765 --conn-password emulator-token"
    )
    print(f"  airflow connections add hubassoc_warehouse --conn-type sqlite --conn-host {data.warehouse}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
