"""`autograde`: a thin command line over the Python API.

Exit codes: 0 done (for `check`: every check passed), 1 `check` found failing checks or `assign
--check` found stale skeletons, 2 bad input (arguments, grader.toml, data, paths), 3 internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import sys
import tempfile
import time
import traceback
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

from .cli_args import COMMANDS, build_parser
from .cli_results import cmd_gradescope, cmd_report, cmd_show
from .server.commands import cmd_roster, cmd_serve
from .config import CONFIG_NAME, Config, ConfigError, load_config, shipped_config
from .outputs import rewrite_assignment, rewrite_course
from .cluster import ClusterError
from . import plots
from .catalog import msg, plural
from .cli_check import cmd_check, cmd_warm, said as _said, say_data_note as _say_data_note
from .course import Where, assignment_folder, close_names, course_folders, infer_assignment, listing
from .data import DataError
from .grading import Grader
from .nbgrader_course import CourseError
from .progress import ConsoleProgress
from .results import ResultsWriteError, SubmissionResult
from .sandbox.isolation import IsolationError
from .sandbox.runner import SandboxError
from .skeleton import SkeletonError, stale_skeletons, write_skeletons
from .submissions import Submission, discover
from .untrusted_text import for_terminal

def find_config(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
    return shipped_config()  # the wheel's packaged copy, or the repository's


def _with_jobs(config: Config, jobs: int | None, scheduler: str | None = None) -> Config:
    """The configuration with --jobs and --scheduler/--cluster applied."""
    update: dict[str, object] = {}
    if jobs is not None:
        if jobs < 1:
            raise ConfigError("--jobs must be at least 1")
        update["jobs"] = jobs
    if scheduler:
        update["scheduler"] = scheduler
    return config.model_copy(update={"grader": config.grader.model_copy(update=update)}) if update else config


def _inside(inner: Path, outer: Path) -> bool:
    inner, outer = inner.resolve(), outer.resolve()
    return inner == outer or outer in inner.parents


def _writable_out(out: Path, folder: Path) -> None:
    """Refuse a results folder that would be graded as submissions, or that cannot be written,
    before anything is graded."""
    if _inside(out, folder):
        raise ConfigError(f"--out {out} is inside the submissions folder {folder}: the next run would grade the "
                          "results as submissions. Choose a results folder outside it (e.g. --out results/).")
    if _inside(folder, out):
        raise ConfigError(f"the submissions folder {folder} is inside the results folder --out {out}: keep them apart.")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot write there ({exc.strerror or exc}); choose a folder you can write to") from None


def _unknown_students(unknown: list[str], known: list[str], folder: Path, config: Config,
                      course: bool = False) -> ConfigError:
    """--only names no such student: the error names the close ones (course.close_names: `이서` ->
    `이서연`), as `autograde show` does for a mistyped name."""
    close = list(dict.fromkeys(m for name in unknown for m in close_names(name, known)))
    names = ", ".join(map(repr, unknown))
    if close:
        text = msg("cli.only.course.close" if course else "cli.only.unknown.close", names=names, folder=str(folder),
                   close=", ".join(close))
    else:
        text = msg("cli.only.course" if course else "cli.only.unknown", names=names, folder=str(folder))
    return ConfigError(_said(text, config))


def _only(submissions: list[Submission], only: list[str] | None, folder: Path, config: Config,
          seen: list[str] | None = None) -> list[Submission]:
    """The submissions `--only` names (NFC, as student ids are); an unknown name is an error that
    lists the close ones. In a course (`seen` given), every assignment's students are added to
    `seen` and only a name no assignment has is an error, raised by the caller."""
    if not only:
        return submissions
    only = [unicodedata.normalize("NFC", name) for name in only]
    known = {s.student: s for s in submissions}
    unknown = [name for name in only if name not in known]
    if seen is not None:
        seen.extend(known)
    elif unknown:
        raise _unknown_students(unknown, list(known), folder, config)
    return [known[name] for name in dict.fromkeys(only) if name in known]


def _grade_folder(args: argparse.Namespace, config: Config, name: str, where: Where, out: Path,
                  seen: list[str] | None = None) -> tuple[list[SubmissionResult], list[SubmissionResult]]:
    """Grade one assignment's folder into `out`; (the results for the gradebook, everyone in `out`:
    what the class report shows, the other students' results too with --only). In a course, `seen`
    collects every student found, for --only's error."""
    grader = Grader(_with_jobs(config, args.jobs, args.scheduler or args.cluster), name, args.data_root)
    _say_data_note(grader)
    console = ConsoleProgress(config.limits.cpu_s)
    folder, within = where
    with tempfile.TemporaryDirectory(prefix="autograde-unpacked-") as scratch:  # zips are unpacked here
        submissions, skipped = discover(folder, grader.plan.module_name, scratch=Path(scratch), within=within)
        for note in skipped:
            print(for_terminal(f"skipped: {note}"), file=sys.stderr)  # file names: the students' text
        if not submissions:
            print(f"{folder}: no submissions found (expected <student>.py, <student>.ipynb, <student>.zip or <student>/)",
                  file=sys.stderr)
            return [], []
        submissions = _only(submissions, args.only, folder, config, seen)
        if not submissions:
            print(f"{name}: none of --only {', '.join(args.only)}", file=sys.stderr)
            return [], []
        start = time.monotonic()
        plots.prepare_in_background()  # the class report's plots, drawn after the last result
        where_run = (f"on the Dask cluster {grader.config.grader.scheduler}" if grader.config.grader.scheduler
                     else f"with {grader.config.grader.jobs} at a time")
        print(f"Grading {plural(len(submissions), 'submission')} of {grader.name} {where_run}...", file=sys.stderr, flush=True)
        results = grader.grade(submissions, out_dir=out, force=args.force,
                               progress=None if args.quiet else console.finished,
                               running=None if args.quiet else console.running,
                               again=None if args.quiet else console.again)
    mean = sum(r.score for r in results) / len(results)
    everyone = rewrite_assignment(out, config, name)  # every derived file, from all results on disk (outputs.py)
    print(f"Done in {time.monotonic() - start:.1f} s: {len(results)} graded, mean {mean:.1f}/"
          f"{grader.assignment.max_score:g}. Results: {out}/ (gradebook.csv, results_long.csv, report.html, "
          f"<student>/feedback.html and feedback.md)", file=sys.stderr)
    return (everyone if args.only else results), everyone


def cmd_grade(args: argparse.Namespace, config: Config) -> int:
    folder: Path = args.folder
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder of submissions")
    _writable_out(args.out, folder)
    folders = {} if args.assignment is not None or len(config.assignments) == 1 else course_folders(config, folder)
    if not folders:
        if args.assignment is not None or len(config.assignments) == 1:
            name = config.assignment(args.assignment)[0]
        else:  # one assignment's folder: which one, from its name or from what the students handed in
            name, how = infer_assignment(config, folder)
            print(for_terminal(_said(msg("cli.grading_inferred", assignment=name, how=how), config)), file=sys.stderr)
        graded, _ = _grade_folder(args, config, name, assignment_folder(config, folder, name), args.out)
        return 0 if graded else 2
    layout = "<student>/<assignment>/ (nbgrader's submitted/)" if any(w for _, w in folders.values()) else "<assignment>/"
    print(f"Course folder, {layout}: {', '.join(folders)}", file=sys.stderr)
    seen: list[str] = []
    graded = {name: _grade_folder(args, config, name, where, args.out / name, seen)
              for name, where in folders.items()}
    results = {name: rows for name, (rows, _) in graded.items()}
    if args.only and not any(results.values()):
        raise _unknown_students(list(args.only), list(dict.fromkeys(seen)), folder, config, course=True)
    rewrite_course(args.out, config)  # from every assignment's results on disk, not only this run's (outputs.py)
    print(f"Course gradebook: {args.out / 'course_gradebook.csv'} (one row per student, one column per assignment); "
          f"every check of every student: {args.out / 'results_long.csv'}", file=sys.stderr)
    return 0


@contextlib.contextmanager
def quiet_sqlalchemy() -> Iterator[None]:
    """While nbgrader is driven (`autograde nbgrader`, `autograde assign`): nbgrader drives
    SQLAlchemy through APIs that SQLAlchemy 2 deprecates or warns about (`declarative_base`,
    `Query.get`, relationships that copy a column), a screenful per student for the TA about
    nbgrader's code, not theirs. Only SQLAlchemy's own warning classes, and warnings raised from
    its modules, are silenced, and only inside this block; any other warning still shows."""
    with warnings.catch_warnings():
        _ignore_sqlalchemy_warnings()
        yield


def _ignore_sqlalchemy_warnings() -> None:
    try:
        from sqlalchemy import exc
    except ImportError:  # no nbgrader, no SQLAlchemy: nothing to silence
        return
    for name in ("SADeprecationWarning", "SAWarning", "MovedIn20Warning", "LegacyAPIWarning", "Base20DeprecationWarning",
                 "RemovedIn20Warning", "SAPendingDeprecationWarning"):
        category = getattr(exc, name, None)
        if isinstance(category, type) and issubclass(category, Warning):
            warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("ignore", module=r"sqlalchemy(\.|$)")  # what it raises under a plain DeprecationWarning


def cmd_nbgrader(args: argparse.Namespace, config: Config) -> int:
    from .nbgrader_course import grade_course

    if not (args.course / "gradebook.db").is_file():
        raise ConfigError(f"{args.course}: not an nbgrader course directory (no gradebook.db)")
    grader = Grader(_with_jobs(config, args.jobs, args.scheduler or args.cluster), args.assignment or args.assignment_id,
                    args.data_root)
    start = time.monotonic()
    _say_data_note(grader)
    with quiet_sqlalchemy():
        results = grade_course(grader, args.course, args.assignment_id, force=args.force,
                               progress=None if args.quiet else ConsoleProgress(config.limits.cpu_s).finished)
    print(f"Done in {time.monotonic() - start:.1f} s: {len(results)} graded; scores are in {args.course}/gradebook.db "
          f"and feedback in {args.course}/feedback/. Next: `nbgrader release_feedback {args.assignment_id}`.",
          file=sys.stderr)
    return 0


def cmd_assign(args: argparse.Namespace, config: Config) -> int:
    names = [config.assignment(name)[0] for name in args.names] or list(config.assignments)
    if args.check:
        stale = []
        for index, name in enumerate(names, 1):  # generating each one's notebooks takes seconds: say which
            print(_said(msg("cli.assign.checking", assignment=name, index=index, total=len(names)), config),
                  file=sys.stderr, flush=True)
            with quiet_sqlalchemy():
                stale += stale_skeletons(config, [name])
        for path in stale:
            print(f"stale: {path} differs from what reference/ generates (run `autograde assign`)", file=sys.stderr)
        return 1 if stale else 0
    with quiet_sqlalchemy():
        written = write_skeletons(config, names)
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _unknown_command(word: str) -> str | None:
    """A word that is no command and no path, but close to a command: the suggestion, if any."""
    if Path(word).exists():
        return None
    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.6)
    return close[0] if close else None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        suggestion = _unknown_command(argv[0])
        if suggestion:
            print(f"autograde: unknown command {argv[0]!r}; did you mean `autograde {suggestion}`? "
                  "(`autograde --help` lists the commands)", file=sys.stderr)
            return 2
        argv.insert(0, "grade")  # `autograde submissions/`
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        config = load_config(find_config(args.config))
        if args.language:
            config = config.model_copy(update={"report": config.report.model_copy(update={"language": args.language})})
        commands = {"grade": cmd_grade, "check": cmd_check, "assign": cmd_assign, "nbgrader": cmd_nbgrader,
                    "report": cmd_report, "show": cmd_show, "gradescope": cmd_gradescope, "list": lambda args, config: print(listing(config), end="") or 0,
                    "roster": cmd_roster, "serve": cmd_serve,
                    "warm": lambda args, config: cmd_warm(args, config, find_config(args.config))}
        return commands[args.command](args, config)
    except (ConfigError, DataError, SkeletonError, SandboxError, CourseError, IsolationError, ResultsWriteError,
            ClusterError) as exc:
        print(for_terminal(f"autograde: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograde: interrupted; results already written are kept.", file=sys.stderr)
        return 130
    except Exception as exc:  # a grader bug: say so plainly, no traceback unless asked
        if args.debug:
            traceback.print_exc()
        print(for_terminal(f"autograde: internal error: {type(exc).__name__}: {exc} "
                           "(re-run with --debug for details)"), file=sys.stderr)
        return 3
