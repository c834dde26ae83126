"""`autograde`: a thin command line over the Python API.

Exit codes: 0 done (for `check`: every check passed), 1 `check` found failing checks or `assign
--check` found stale skeletons, 2 bad input (arguments, grader.toml, data, paths), 3 internal error.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path

from .cli_args import COMMANDS, build_parser
from .cli_results import cmd_gradescope, cmd_report, cmd_show
from .config import CONFIG_NAME, Config, ConfigError, load_config, shipped_config
from .outputs import rewrite_assignment, rewrite_course
from .cluster import ClusterError
from .course import Where, assignment_folder, assignment_for_file, course_folders, listing
from .data import DataError
from .grading import Grader
from .nbgrader_course import CourseError
from .feedback import Words, console_table, say
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


def _say_data_note(grader: Grader) -> None:
    if grader.data_note:
        print(f"note: {grader.data_note}", file=sys.stderr)


def _only(submissions: list[Submission], only: list[str] | None, folder: Path, strict: bool) -> list[Submission]:
    """The submissions `--only` names; an unknown name is an error that lists the close ones (in a
    course, only a name no assignment has: `strict` is False there)."""
    if not only:
        return submissions
    known = {s.student: s for s in submissions}
    unknown = [name for name in only if name not in known]
    if unknown and strict:
        close = [m for name in unknown for m in difflib.get_close_matches(name, known, n=3, cutoff=0.5)]
        raise ConfigError(f"--only: no student {', '.join(map(repr, unknown))} in {folder}"
                          + (f"; did you mean {', '.join(dict.fromkeys(close))}?" if close else ""))
    return [known[name] for name in dict.fromkeys(only) if name in known]


def _grade_folder(args: argparse.Namespace, config: Config, name: str, where: Where, out: Path,
                  strict: bool = True) -> tuple[list[SubmissionResult], list[SubmissionResult]]:
    """Grade one assignment's folder into `out`; (the results for the gradebook, everyone in `out`:
    what the class report shows, the other students' results too with --only)."""
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
        submissions = _only(submissions, args.only, folder, strict)
        if not submissions:
            print(f"{name}: none of --only {', '.join(args.only)}", file=sys.stderr)
            return [], []
        start = time.monotonic()
        where_run = (f"on the Dask cluster {grader.config.grader.scheduler}" if grader.config.grader.scheduler
                     else f"with {grader.config.grader.jobs} at a time")
        print(f"Grading {len(submissions)} submission(s) of {grader.name} {where_run}...", file=sys.stderr, flush=True)
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
    if args.assignment is not None or len(config.assignments) == 1:
        name = config.assignment(args.assignment)[0]
        graded, _ = _grade_folder(args, config, name, assignment_folder(config, folder, name), args.out)
        return 0 if graded else 2
    folders = course_folders(config, folder)
    if not folders:
        raise ConfigError(f"{folder}: grader.toml has several assignments ({', '.join(config.assignments)}): name one "
                          f"with --assignment NAME, or grade a course folder holding <assignment>/ subfolders "
                          f"(or nbgrader's submitted/<student>/<assignment>/)")
    layout = "<student>/<assignment>/ (nbgrader's submitted/)" if any(w for _, w in folders.values()) else "<assignment>/"
    print(f"Course folder, {layout}: {', '.join(folders)}", file=sys.stderr)
    graded = {name: _grade_folder(args, config, name, where, args.out / name, strict=False)
              for name, where in folders.items()}
    results = {name: rows for name, (rows, _) in graded.items()}
    if args.only and not any(results.values()):
        raise ConfigError(f"--only: no assignment of {folder} has a student {', '.join(map(repr, args.only))}")
    rewrite_course(args.out, config)  # from every assignment's results on disk, not only this run's (outputs.py)
    print(f"Course gradebook: {args.out / 'course_gradebook.csv'} (one row per student, one column per assignment); "
          f"every check of every student: {args.out / 'results_long.csv'}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    file: Path = args.file
    if not file.exists() and not file.is_symlink():
        raise ConfigError(f"{file}: no such file")
    if file.is_dir():
        raise ConfigError(f"{file}: is a folder; `autograde check` takes one file (to grade a folder: autograde {file})")
    if not file.is_file():
        raise ConfigError(f"{file}: not a regular file (a pipe, socket or device?)")
    if file.suffix not in (".py", ".ipynb"):
        raise ConfigError(f"{file}: not a .py or .ipynb file")
    name, how = assignment_for_file(config, file, args.assignment)
    grader = Grader(config, name, args.data_root)
    _say_data_note(grader)
    submission = Submission(file.stem, file)
    for warning in grader.preview(submission):
        for text in say(warning, config.report.language):
            print(for_terminal(textwrap.fill(f"warning: {text}", 100, subsequent_indent="  ")), file=sys.stderr)
    print(for_terminal(f"Checking {file} for the assignment {name} ({how}); usually a few seconds, at most "
                       f"{config.limits.cpu_s:g} s of CPU time..."), file=sys.stderr, flush=True)
    live = ConsoleProgress(config.limits.cpu_s, live=True, every_s=10.0)
    try:
        [result] = grader.grade([submission], running=live.running)
    finally:
        live.close()
    if submission.student in grader.unprocessable:  # the grader's own step failed on this file: bad input
        for texts in Words(result, config.report.language).section("fix_first"):
            for text in texts:
                line = textwrap.fill(f"autograde: {text}", 100, subsequent_indent="  ")
                print(for_terminal(line), file=sys.stderr)
        return 2
    if args.json:
        print(for_terminal(result.model_dump_json(indent=2)))  # still JSON: controls become \u escapes
    else:
        print(console_table(result, config.report.language))
    return 0 if result.all_passed else 1


def cmd_nbgrader(args: argparse.Namespace, config: Config) -> int:
    from .nbgrader_course import grade_course

    if not (args.course / "gradebook.db").is_file():
        raise ConfigError(f"{args.course}: not an nbgrader course directory (no gradebook.db)")
    grader = Grader(_with_jobs(config, args.jobs, args.scheduler or args.cluster), args.assignment or args.assignment_id,
                    args.data_root)
    start = time.monotonic()
    _say_data_note(grader)
    results = grade_course(grader, args.course, args.assignment_id, force=args.force,
                           progress=None if args.quiet else ConsoleProgress(config.limits.cpu_s).finished)
    print(f"Done in {time.monotonic() - start:.1f} s: {len(results)} graded; scores are in {args.course}/gradebook.db "
          f"and feedback in {args.course}/feedback/. Next: `nbgrader release_feedback {args.assignment_id}`.",
          file=sys.stderr)
    return 0


def cmd_assign(args: argparse.Namespace, config: Config) -> int:
    names = [config.assignment(name)[0] for name in args.names] or list(config.assignments)
    if args.check:
        stale = stale_skeletons(config, names)
        for path in stale:
            print(f"stale: {path} differs from what reference/ generates (run `autograde assign`)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_skeletons(config, names):
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
                    "report": cmd_report, "show": cmd_show, "gradescope": cmd_gradescope, "list": lambda args, config: print(listing(config), end="") or 0}
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
