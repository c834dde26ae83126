"""`autograde check FILE`: a student's self-check, in the terminal, in the course's languages.

Everything it prints goes through the catalog in `[report] language` (or --language): the static
look's warnings and the "Checking ..." line on stderr before the wait, the status line while the
file runs, then the table on stdout. The table leaves out what was already said on stderr (each
warning once), says which points a TA grades by hand (a notebook's discussion question), and shows
only the last lines of what the student's code printed, so that the verdicts stay on screen.
When this user runs a warm sandbox for the same configuration (`autograde warm`, warm.py), the
file is graded there; one stderr line says whether it was, or why it was graded cold.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from . import warm
from .catalog import Text, msg
from .config import Config, ConfigError
from .course import assignment_for_file
from .feedback import Words, console_table, fill, say
from .grading import Grader, Running
from .progress import ConsoleProgress
from .results import SubmissionResult
from .submissions import Submission
from .untrusted_text import for_terminal

OUTPUT_TAIL = 15  # lines of the student's printed output shown; --full-output shows them all


def said(text: Text, config: Config) -> str:
    """A catalog message in the languages `[report] language` (or --language) shows, one line each."""
    return "\n".join(say(text, config.report.language))


def say_data_note(grader: Grader) -> None:
    if grader.data_note:
        print(f"note: {grader.data_note}", file=sys.stderr)


def by_hand(config: Config, name: str) -> Text | None:
    """What nbgrader adds to the score by hand (the discussion question), which check cannot grade:
    a student who sees 100/100 here should not be surprised by 110 in nbgrader."""
    notebook = config.assignments[name].notebook
    discussion = notebook.discussion if notebook is not None else None
    if discussion is None:
        return None
    points = int(discussion.points) if float(discussion.points).is_integer() else discussion.points
    return msg("cli.check.by_hand", question=discussion.id, points=points)


def graded(config: Config, data_root: Path | None, grader: Grader, submission: Submission,
           running: Running) -> tuple[SubmissionResult, bool]:
    """(The result, whether the grader's own step failed on the file): from this user's warm
    sandbox for this configuration when one answers, else graded here, cold. One stderr line says
    which, before the wait."""
    assert submission.path is not None

    def connected() -> None:
        print(said(msg("cli.warm.used"), config), file=sys.stderr, flush=True)

    try:
        return warm.grade(config, data_root, grader.name, submission.path, running, connected)
    except warm.NoWarmSandbox:
        note = msg("cli.warm.none")
    except warm.WarmError as exc:
        note = msg("cli.warm.failed", reason=str(exc))
    print(for_terminal(said(note, config)), file=sys.stderr, flush=True)
    [result] = grader.grade([submission], running=running)
    return result, submission.student in grader.unprocessable


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
    say_data_note(grader)
    submission = Submission(file.stem, file)
    setting = config.report.language
    # The static look's warnings, before the wait and in the student's languages. Shown here once,
    # so the table leaves them out.
    shown = grader.preview(submission)
    for warning in shown:
        for text in say(msg("cli.warning", text=warning), setting):
            print(for_terminal(fill(text, 100, "", "  ")), file=sys.stderr)
    checking = msg("cli.checking", file=str(file), assignment=name, how=how, cpu=config.limits.cpu_s)
    for text in say(checking, setting):
        print(for_terminal(fill(text, 100, "", "  ")), file=sys.stderr, flush=True)
    live = ConsoleProgress(config.limits.cpu_s, live=True, every_s=10.0, setting=setting)
    try:
        result, failed = graded(config, args.data_root, grader, submission, live.running)
    finally:
        live.close()
    if failed:  # the grader's own step failed on this file: bad input
        for texts in Words(result, setting).section("fix_first"):
            for text in texts:
                print(for_terminal(fill(f"autograde: {text}", 100, "", "  ")), file=sys.stderr)
        return 2
    if args.json:
        print(for_terminal(result.model_dump_json(indent=2)))  # still JSON: controls become \u escapes
        return 0 if result.all_passed else 1
    again = f"autograde check {shlex.quote(str(file))} --full-output"
    print(console_table(result, setting, skip=("warnings",) if shown else (), by_hand=by_hand(config, name),
                        tail=None if args.full_output else OUTPUT_TAIL,
                        cut=lambda count: msg("cli.check.cut", count=count, command=again)))
    return 0 if result.all_passed else 1


def cmd_warm(args: argparse.Namespace, config: Config, config_path: Path) -> int:
    """`autograde warm [FILE]`: start this user's warm sandbox for this configuration (warm.py), the
    assignment's zygote started now when FILE, --assignment or a one-assignment grader.toml names
    it; `--stop`: stop every one of this user's."""
    try:
        if args.stop:
            print(said(msg("cli.warm.stopped", count=len(warm.stop_all())), config), file=sys.stderr)
            return 0
        if args.idle_timeout <= 0:
            raise ConfigError("--idle-timeout must be more than 0 seconds")
        name = assignment_for_file(config, args.file, args.assignment)[0] if args.file else \
            config.assignment(args.assignment)[0] if args.assignment or len(config.assignments) == 1 else None
        pid, already = warm.start(config_path, config, args.data_root, name, args.idle_timeout)
    except warm.WarmError as exc:
        raise ConfigError(f"warm: {exc}") from None
    text = msg("cli.warm.running", pid=pid) if already else msg("cli.warm.started", pid=pid, idle=args.idle_timeout)
    print(said(text, config), file=sys.stderr)
    return 0
