"""`autograde roster ...` and `autograde serve`: their arguments and what they do. The CLI
(cli.py, cli_args.py) only registers them; the server's packages are imported when they run, so
a student's `autograde check` never needs them."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from ..config import Config, ConfigError

EPILOG = """\
A TA starts a course with two commands:
  autograde roster import roster.csv --codes codes.csv   (student number, name; hand out codes.csv)
  autograde serve --host 0.0.0.0 --port 8000             (students open http://THIS-MACHINE:8000/)
The database is SQLite in the course folder (server/course.db, next to grader.toml) unless --db
names another (postgresql://user:password@host/dbname). docs/server.md describes the pages and the API."""


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="the course database: sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB "
                        "(default: sqlite:///server/course.db in the folder of grader.toml)")


def add_commands(sub: argparse._SubParsersAction, common) -> None:  # type: ignore[type-arg,no-untyped-def]
    roster = sub.add_parser("roster", help="the course server's accounts: import the roster, add a TA",
                            epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = roster.add_subparsers(dest="roster_command", metavar="import|add-ta", required=True)
    imported = what.add_parser("import", help="create student accounts from the LMS's roster CSV (student number, "
                               "name; UTF-8 with or without BOM) and write their one-time login codes")
    imported.add_argument("roster", type=Path, help="roster.csv")
    imported.add_argument("--codes", type=Path, default=Path("codes.csv"),
                          help="where the new students' codes go: student number, name, code (default: codes.csv)")
    _db(imported)
    common(imported)
    ta = what.add_parser("add-ta", help="make a TA account; prints its one-time code as the last line")
    ta.add_argument("name", help="the TA's login name")
    _db(ta)
    common(ta)
    serve = sub.add_parser("serve", help="run the course server: students submit in a browser, TAs see the gradebook",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1; 0.0.0.0 for "
                       "the whole network, behind HTTPS: docs/server.md)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--store", type=Path, help="the server's folder: uploads, results (default: server/ next to "
                       "grader.toml)")
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster of this scheduler "
                       "(tcp://HOST:8786; docs/cluster.md); default: sandboxes on this machine")
    where.add_argument("--cluster", metavar="local:N", help="grade on a local Dask cluster of N worker processes")
    serve.add_argument("--secure-cookies", action="store_true", help="send the session cookie over HTTPS only "
                       "(behind a TLS proxy)")
    _db(serve)
    common(serve)


def _where(args: argparse.Namespace, config: Config) -> tuple[str, Path]:
    from .db import default_url

    return args.db or default_url(config.base_dir), (getattr(args, "store", None) or config.base_dir / "server").resolve()


def cmd_roster(args: argparse.Namespace, config: Config) -> int:
    from .db import open_engine, sessions
    from .roster import RosterError, add_ta, import_roster, read_roster, write_codes

    url, _ = _where(args, config)
    try:
        with sessions(open_engine(url))() as db:
            if args.roster_command == "add-ta":
                code = add_ta(db, args.name)
                print(f"TA {args.name}: log in with this one-time code, then choose a password:", file=sys.stderr)
                print(code)
                return 0
            people = read_roster(args.roster)
            created = import_roster(db, people)
    except RosterError as exc:
        raise ConfigError(str(exc)) from None
    write_codes(args.codes, created)
    print(f"{len(created)} new students of {len(people)} in the roster; their one-time codes are in {args.codes} "
          "(hand each student theirs; the file is readable by you only)", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    import uvicorn

    from .app import create_app
    from .context import Server
    from .db import open_engine, sessions
    from .storage import Course, Store

    url, store = _where(args, config)
    config_path = (args.config or config.base_dir / "grader.toml").resolve()  # the worker reads the same file
    if not config_path.is_file():
        raise ConfigError(f"{config_path}: the course server needs the course's grader.toml (pass --config)")
    engine = open_engine(url)
    command = [sys.executable, "-m", "autograder.server.worker", "--db", url, "--store", str(store),
               "--config", str(config_path)]
    if args.data_root:
        command += ["--data-root", str(args.data_root)]
    if args.scheduler or args.cluster:
        command += ["--scheduler", args.scheduler or args.cluster]
    worker = subprocess.Popen(command)
    try:
        app = create_app(Server(sessions(engine), Store(store), Course(config_path)), args.secure_cookies)
        print(f"autograde serve: http://{args.host}:{args.port}/ (database {engine.url.render_as_string()}, "
              f"files in {store})", file=sys.stderr)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        worker.terminate()
        worker.wait(30)
    return 0
