"""The commands that read or package what grading produced, without grading anything: `autograde
report` (every file derived from the results, outputs.py, and the feedback pages again, in the
configured language), `autograde show` (one student's feedback in the terminal) and `autograde
gradescope` (the autograder zip for Gradescope)."""

from __future__ import annotations

import argparse
import difflib
import sys

from .config import Config, ConfigError
from .feedback import console_table, write_feedback
from .gradescope import build_zip
from .outputs import rewrite_all
from .results import load_result
from .untrusted_text import for_terminal


def cmd_report(args: argparse.Namespace, config: Config) -> int:
    """Every file derived from the results (outputs.py) and the feedback pages, in the language
    configured now, from the results on disk: nothing is graded."""
    if not args.results.is_dir():
        raise ConfigError(f"{args.results}: not a results folder")
    written = rewrite_all(args.results, config)
    for folder, results in written.items():
        for result in results:  # in the language configured now
            write_feedback(folder / result.student, result, config.report.language)
        print(f"wrote {folder / 'gradebook.csv'}, results_long.csv, report.html and {len(results)} students' "
              "feedback pages", file=sys.stderr)
    if written and args.results not in written:
        print(f"wrote {args.results / 'course_gradebook.csv'}, results_long.csv and the course page "
              f"{args.results / 'report.html'}", file=sys.stderr)
    if not written:
        print(f"{args.results}: no results found (<student>/result.json)", file=sys.stderr)
    return 0 if written else 2


def cmd_show(args: argparse.Namespace, config: Config) -> int:
    if not args.results.is_dir():
        raise ConfigError(f"{args.results}: not a results folder")
    found = [path for path in [args.results / args.student / "result.json",
                               *sorted(args.results.glob(f"*/{args.student}/result.json"))] if path.is_file()]
    if not found:
        students = sorted({p.parent.name for p in [*args.results.glob("*/result.json"),
                                                     *args.results.glob("*/*/result.json")]})
        close = difflib.get_close_matches(args.student, students, n=3, cutoff=0.5)
        raise ConfigError(f"{args.results}: no results for {args.student!r}"
                          + (f"; did you mean {', '.join(close)}?" if close else f" ({len(students)} students there)"))
    for path in found:
        result = load_result(path)
        print(for_terminal(f"== {result.assignment} ({path.parent}) =="))
        print(console_table(result, config.report.language))  # for_terminal'd too
        print()
    return 0


def cmd_gradescope(args: argparse.Namespace, config: Config) -> int:
    name = config.assignment(args.name)[0]
    path = build_zip(config, name, args.out)
    print(f"wrote {path}: upload it on Gradescope's \"Configure Autograder\" page (Ubuntu base image).",
          file=sys.stderr)
    return 0
