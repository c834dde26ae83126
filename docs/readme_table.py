"""README's table of the course's assignments, generated from grader.toml so that it cannot drift:

    python docs/readme_table.py           # rewrite the table in README.md
    python docs/readme_table.py --check   # exit 1 when README.md's table is not what grader.toml gives

The table lies between two marker lines of README.md (BEGIN, END below); everything else in the
README is left as it is. tests/test_course.py checks that the committed table is up to date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- the table of assignments: generated from grader.toml by `python docs/readme_table.py` -->"
END = "<!-- end of the generated table -->"


def table(config: Config) -> str:
    """One row per assignment, in grader.toml's order: its title, its checks with their points, its total
    (a bonus assignment's apart from the course total)."""
    rows = ["| assignment | lab | checks | points |", "| --- | --- | --- | --- |"]
    for name, assignment in config.assignments.items():
        checks = ", ".join(f"`{check_id}` {check.points:g}" for check_id, check in assignment.checks.enabled().items())
        discussion = assignment.notebook.discussion if assignment.notebook else None
        if discussion is not None:
            checks += f" (+ the discussion `{discussion.id}`, {discussion.points:g}, by hand)"
        points = f"{assignment.max_score:g}" + (" (bonus, apart from the course total)" if assignment.bonus else "")
        rows.append(f"| `{name}` | {assignment.title.replace('|', '/')} | {checks} | {points} |")
    return "\n".join(rows) + "\n"


def with_table(readme: str, config: Config) -> str:
    """README's text with the table between the markers replaced by the generated one."""
    before, rest = readme.split(BEGIN + "\n", 1)
    _, after = rest.split(END, 1)
    return f"{before}{BEGIN}\n{table(config)}{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare (exit 1 when the table is stale)")
    parser.add_argument("--config", type=Path, default=ROOT / "grader.toml")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)
    readme = args.readme.read_text(encoding="utf-8")
    expected = with_table(readme, load_config(args.config))
    if args.check:
        if expected != readme:
            print(f"{args.readme}: the table of assignments is stale: run python docs/readme_table.py", file=sys.stderr)
            return 1
        return 0
    if expected != readme:
        args.readme.write_text(expected, encoding="utf-8")
        print(f"wrote the table of assignments in {args.readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
