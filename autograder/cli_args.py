"""The command line's words: the commands, their arguments and the help texts a TA reads
(`autograde --help`, `autograde COMMAND --help`). What each command does is in `cli.py`."""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import CONFIG_NAME
from .warm import IDLE_TIMEOUT_S
from .server.commands import add_commands

COMMANDS = ("grade", "check", "warm", "assign", "nbgrader", "report", "show", "gradescope", "list", "roster", "serve")

DESCRIPTION = """\
Auto-grader for the labs of the PyTorch course 모두를 위한 딥러닝 시즌2 (07-1 to 09-4, the
MNIST BatchNorm/Dropout homework and an RBM bonus: `autograde list` shows them all).

Student code runs in sandboxed child processes; the checks (layer shapes, BN/dropout order,
initialisation statistics, train/eval mode, gradients by hand, a short training run to a minimum
accuracy, ...) are judged in this process. Rubric points, thresholds and limits come from grader.toml.

commands:
  autograde SUBMISSIONS/          grade a folder (same as `autograde grade SUBMISSIONS/`); the
                                  assignment comes from --assignment, the folder's name or what the
                                  students handed in; a course folder SUBMISSIONS/<assignment>/<student>
                                  grades every assignment
  autograde check mnist_bn.py     a student's self-check: the same checks, as a table (the
                                  assignment comes from the file name, e.g. xor_blank.py or
                                  "xor (1).py", or the notebook)
  autograde warm [mnist_bn.py]    keep a sandbox started in the background, so that each later
                                  `check` skips the start-up (--stop ends it)
  autograde assign [NAME ...]     regenerate assignments/ from reference/ (--check: only compare)
  autograde nbgrader COURSE ASSIGNMENT
                                  grade nbgrader's submitted/ notebooks here, fast and sandboxed,
                                  and write the scores into nbgrader's gradebook and feedback/
  autograde report RESULTS/       write report.html, the class report (every batch writes it too),
                                  and results_long.csv (one row per student and check)
  autograde show RESULTS/ STUDENT one student's feedback in the terminal
  autograde gradescope ASSIGNMENT --out DIR
                                  the autograder zip for a Gradescope course
  autograde list                  the course's assignments, their checks and points
  autograde roster import roster.csv --codes codes.csv
                                  the course server's student accounts, with one-time login codes
                                  (`autograde roster add-ta NAME`: a TA)
  autograde serve                 the course server: students submit in a browser and get their
                                  feedback in seconds; TAs see the gradebook (docs/server.md)

Each submission gets [limits] cpu_s seconds of CPU time (all its processes together; the same
verdict on an idle or a busy machine) and a generous wall-clock backstop ([limits] wall_s).

Exit codes: 0 done (for `check`: every check passed), 1 `check` found failing checks,
2 bad input (arguments, grader.toml, data, paths, an unwritable results folder), 3 internal error.

Run `autograde COMMAND --help` for the options of each command."""

EPILOG_GRADE = """\
A submission is SUBMISSIONS/<student>.py, .ipynb or .zip, or a folder SUBMISSIONS/<student>/
(the file may be a few folders deep). When a student handed in several files, one is graded by a
stated rule (a file named after the assignment first, then .py over .ipynb, then the shallowest)
and the others are noted. Results go to OUT/<student>/result.json, OUT/<student>/feedback.md and
feedback.html (in [report] language: Korean, English or both), plus OUT/gradebook.csv (UTF-8 with
BOM, for Excel) and OUT/report.html, the class report. OUT must lie outside SUBMISSIONS. A submission
whose file and configuration are unchanged since its last result is not graded again (--force
re-grades).

Which assignment, when grader.toml has several and --assignment is not given: a folder named after
one (course/xor), else the one that the students' files name (xor.py, 김민수_xor.py, "xor (1).py",
XOR.ipynb, a notebook's metadata, names inside zips) when at least half of the students and three
quarters of those whose files name any assignment agree; the choice and why are printed first.
Otherwise autograde asks for --assignment NAME and lists what it found (exit 2). Nothing is
graded to decide."""


def _engine(parser: argparse.ArgumentParser) -> None:
    """Where the sandboxes run: this machine, or a Dask cluster (docs/cluster.md)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster of this scheduler "
                       "(tcp://HOST:8786); workers run the sandboxes, this process judges (default: [grader] "
                       "scheduler, else this machine)")
    where.add_argument("--cluster", metavar="local:N", help="grade on a local Dask cluster of N worker processes")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help=f"path to {CONFIG_NAME} (default: ./{CONFIG_NAME}, "
                        "then parent folders, then the one shipped with the grader)")
    parser.add_argument("--assignment", help="assignment name in grader.toml (default: the only one; otherwise "
                        "inferred from the file or folder name, the students' files or a notebook's metadata, and "
                        "said; when that is ambiguous, autograde asks for it)")
    parser.add_argument("--data-root", type=Path,
                        help="folder with MNIST/raw/ in torchvision's layout (default: $AUTOGRADE_DATA, else [data] root "
                        "in grader.toml; a student's install without grader.toml: a folder in ~/.cache, downloaded into "
                        "on the first check that needs MNIST)")
    parser.add_argument("--language", choices=("ko", "en", "both"),
                        help="language of feedback and of `check`'s table: ko, en, or both, Korean then English "
                        "(default: [report] language in grader.toml, itself `both`)")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograde", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    grade = sub.add_parser("grade", help="grade a folder of submissions", epilog=EPILOG_GRADE,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument("folder", type=Path, help="folder of submissions")
    grade.add_argument("--out", type=Path, default=Path("results"), help="where results go (default: results/)")
    grade.add_argument("--force", action="store_true", help="re-grade even unchanged submissions")
    grade.add_argument("--jobs", type=int, help="submissions graded at once (default: [grader] jobs)")
    grade.add_argument("--quiet", action="store_true", help="no progress lines")
    _engine(grade)
    grade.add_argument("--only", action="append", metavar="STUDENT",
                       help="grade (or re-grade, with --force) only this student; repeat for several. The "
                       "gradebook and the class report still cover every result in OUT. A name that matches no "
                       "student gets the close ones (이서 -> 이서연)")
    _common(grade)
    check = sub.add_parser("check", help="self-check one file before submitting (exit 0 only if all checks pass)")
    check.add_argument("file", type=Path, help="your lab file, e.g. mnist_bn.py or xor.ipynb")
    check.add_argument("--json", action="store_true", help="print result.json instead of the table")
    check.add_argument("--full-output", action="store_true", help="show all that your code printed (by default "
                       "its last 15 lines, so the verdicts stay on screen)")
    _common(check)
    warm = sub.add_parser("warm", help="keep a sandbox started for `autograde check` (opt-in; --stop ends it)",
                          description="Start a background process of yours that keeps the grader's sandbox started "
                          "(torch and MNIST loaded), so that `autograde check` with the same configuration skips the "
                          "start-up. The same sandbox and checks as a cold check; it listens only to you, on a socket "
                          "in a private folder ($XDG_RUNTIME_DIR/autograde or <temp>/autograde-<uid>), and ends after "
                          "--idle-timeout seconds without a check, or with `autograde warm --stop`.")
    warm.add_argument("file", type=Path, nargs="?", help="the lab file you will check: its assignment's sandbox is "
                      "started now (default: --assignment, else the only one; otherwise on the first check)")
    warm.add_argument("--stop", action="store_true", help="stop every warm sandbox of yours")
    warm.add_argument("--idle-timeout", type=float, default=IDLE_TIMEOUT_S, metavar="SECONDS",
                      help=f"end after this long without a check (default: {IDLE_TIMEOUT_S:g})")
    _common(warm)
    course = sub.add_parser("nbgrader", help="grade an nbgrader course's collected submissions (fast path)",
                            epilog="Then, as usual: `nbgrader release_feedback ASSIGNMENT`, `nbgrader export`.")
    course.add_argument("course", type=Path, help="the nbgrader course directory (has gradebook.db, submitted/)")
    course.add_argument("assignment_id", metavar="ASSIGNMENT", help="the nbgrader assignment id, e.g. mnist_bn")
    course.add_argument("--force", action="store_true", help="re-grade even unchanged submissions")
    course.add_argument("--jobs", type=int, help="submissions graded at once (default: [grader] jobs)")
    course.add_argument("--quiet", action="store_true", help="no progress lines")
    _engine(course)
    _common(course)
    assign = sub.add_parser("assign", help="regenerate the student skeletons in assignments/ from reference/")
    assign.add_argument("names", nargs="*", metavar="ASSIGNMENT", help="only these assignments (default: all)")
    assign.add_argument("--check", action="store_true", help="only report skeletons that differ (exit 1 if any); "
                        "says on stderr which assignment it is comparing, each taking seconds")
    _common(assign)
    report = sub.add_parser("report", help="write report.html, the class report, for a results folder",
                            description="Write report.html (self-contained: open it in any browser) for the results "
                            "of one assignment (results/), or for each assignment of a course's results "
                            "(results/<assignment>/): scores, each check's pass rate with its most common "
                            "messages, the students who need a TA's eyes. Grading writes it too.")
    report.add_argument("results", type=Path, help="a results folder written by `autograde`")
    _common(report)
    show = sub.add_parser("show", help="print one student's feedback from a results folder",
                          description="Print the feedback of one student (as in their feedback.md) from a results "
                          "folder written by `autograde`, without grading anything.")
    show.add_argument("results", type=Path, help="a results folder written by `autograde` (results/ or results/<assignment>/)")
    show.add_argument("student", help="the student's name, as in the gradebook")
    _common(show)
    gradescope = sub.add_parser("gradescope", help="build the autograder zip for a Gradescope course",
                                description="Write DIR/autograder_<ASSIGNMENT>.zip for Gradescope's \"Configure "
                                "Autograder\" page: setup.sh installs Python, torch, this grader and MNIST; "
                                "run_autograder grades /autograder/submission with the same sandbox and checks and "
                                "writes results.json (one test per check, in [report] language).")
    gradescope.add_argument("name", metavar="ASSIGNMENT", help="the assignment, as in grader.toml")
    gradescope.add_argument("--out", type=Path, default=Path("gradescope"), help="where the zip goes (default: gradescope/)")
    _common(gradescope)
    listed = sub.add_parser("list", help="the course's assignments, their checks and points")
    _common(listed)
    add_commands(sub, _common)
    return parser
