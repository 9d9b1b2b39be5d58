"""The ``regwh`` command line: generate demo deliveries, close a period, verify and check packages."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from orchestration import settings
from orchestration.landing_contract import FILE_FORMATS
from orchestration.periods import Period


def _init(args: argparse.Namespace) -> int:
    root = settings.ensure_home()
    print(f"REGWH_HOME={root}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from orchestration.generator import generate

    root = settings.ensure_home()
    summary = generate(
        Path(args.scenario),
        root,
        scale=args.scale,
        seed=args.seed,
        progress=print,
        calibrate=args.calibrate,
        landing_format=args.format,
    )
    rows = summary["rows"]
    print(f"generated {sum(rows.values()):,} rows in {len(rows)} tables under {settings.landing_dir(root)}")
    return 0


def _close(args: argparse.Namespace) -> int:
    from orchestration.close import CloseError, close
    from orchestration.publish import regulatory_tests

    try:
        outcome = close(Period.parse(args.period), restatement_reason=args.restate)
    except CloseError as error:
        print(f"regwh close: {error}", file=sys.stderr)
        return 1
    state = "published" if outcome.written else "already published, unchanged"
    print(f"{outcome.period}: {state}: {outcome.package}")
    for line in regulatory_tests(outcome.package):
        print(line, file=sys.stderr if "FAILED" in line else sys.stdout)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from orchestration.verify import render, verify

    package, rows = verify(Path(args.scenario))
    print(f"package: {package}")
    print(render(rows))
    misses = [r for r in rows if r.status == "MISS"]
    pending = [r for r in rows if r.status == "not computed"]
    print(f"\n{len(rows) - len(misses) - len(pending)} ok, {len(misses)} missed, {len(pending)} not computed yet")
    return 1 if misses else 0


def _verify_package(args: argparse.Namespace) -> int:
    from orchestration.publish import verify_package

    problems = verify_package(Path(args.directory))
    if args.inputs and not problems:
        from orchestration import deliveries

        manifest = json.loads((Path(args.directory) / "manifest.json").read_text(encoding="utf-8"))
        problems = deliveries.missing_inputs(manifest["inputs"], settings.home(), recompute=True)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{args.directory}: {'intact' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


def _reproduce(args: argparse.Namespace) -> int:
    import tempfile

    from orchestration.reproduce import ReproductionError, reproduce

    root = settings.ensure_home()
    scratch = Path(args.into) if args.into else Path(tempfile.mkdtemp(prefix="reproduce-", dir=root / "tmp"))
    try:
        outcome = reproduce(Path(args.directory), root, scratch)
    except ReproductionError as error:
        print(f"regwh reproduce: {error}", file=sys.stderr)
        return 1
    print(f"rebuilt {outcome.rebuilt} from the archived inputs (code then {outcome.code_then}, now {outcome.code_now})")
    print(f"identical: {', '.join(outcome.identical)}")
    for name in outcome.differing:
        print(f"DIFFERS: {name}", file=sys.stderr)
    print(f"{args.directory}: {'reproduced' if outcome.reproduced else f'{len(outcome.differing)} file(s) differ'}")
    return 0 if outcome.reproduced else 1


def _dbt_sources(args: argparse.Namespace) -> int:
    from orchestration.landing_contract import dbt_sources

    target = settings.DBT_PROJECT_DIR / "models" / "staging" / "__sources.yml"
    target.write_text(SOURCES_HEADER + yaml.safe_dump(dbt_sources(), sort_keys=False, allow_unicode=True, width=120))
    print(f"wrote {target}")
    return 0


SOURCES_HEADER = "# Generated from orchestration/contracts/*.yaml by `regwh dbt-sources`; a test checks it matches.\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regwh", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create $REGWH_HOME and its local Dagster instance settings")
    init.set_defaults(func=_init)

    generate = commands.add_parser("generate", help="write demo deliveries into $REGWH_HOME/landing")
    generate.add_argument("--scenario", required=True, help="scenario YAML (targets of a half year)")
    generate.add_argument("--scale", type=float, default=1.0, help="population scale (1 = the seed insurer)")
    generate.add_argument("--seed", type=int, default=42, help="random seed")
    generate.add_argument(
        "--no-calibrate",
        dest="calibrate",
        action="store_false",
        help="skip solving the investment mix for the minimum-capital target (one close fewer)",
    )
    generate.add_argument(
        "--format",
        choices=FILE_FORMATS,
        default="csv",
        help="landing files of the event tables: csv (each source system's export) or parquet (large deliveries)",
    )
    generate.set_defaults(func=_generate)

    close = commands.add_parser("close", help="extract, build, gate and publish a period (2025H1)")
    close.add_argument("--period", required=True, help="period to close, e.g. 2025H1")
    close.add_argument("--restate", metavar="REASON", help="publish a new version over a different earlier one")
    close.set_defaults(func=_close)

    verify = commands.add_parser("verify", help="compare the latest extract with a scenario's published figures")
    verify.add_argument("--scenario", required=True)
    verify.set_defaults(func=_verify)

    verify_package = commands.add_parser("verify-package", help="recompute a package's checksums")
    verify_package.add_argument("directory")
    verify_package.add_argument(
        "--inputs", action="store_true", help="also find every input in $REGWH_HOME/deliveries by its sha256"
    )
    verify_package.set_defaults(func=_verify_package)

    again = commands.add_parser(
        "reproduce", help="rebuild a package from its archived inputs in a scratch home and compare it, file by file"
    )
    again.add_argument("directory", help="a published package, extracts/<period>/v<N>")
    again.add_argument("--into", help="empty folder for the scratch home (default: a new one under $REGWH_HOME/tmp)")
    again.set_defaults(func=_reproduce)

    sources = commands.add_parser("dbt-sources", help="regenerate the dbt sources from the landing contracts")
    sources.set_defaults(func=_dbt_sources)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
