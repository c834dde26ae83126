"""What every lab's tests assert, written once: the reference gets full marks, the untouched
skeleton gets 0 with "Not implemented yet" on every check, a single-bug variant fails exactly the
checks it is meant to."""

from __future__ import annotations

from ..conftest import not_passed


def assert_reference_full_marks(result) -> None:
    assert result.score == result.max_score == 100, {c.id: c.message for c in result.checks}


def assert_skeleton_not_implemented(result) -> None:
    assert result.score == 0
    for check in result.checks:
        assert check.status == "failed", check
        assert check.message.startswith("Not implemented yet"), check.message


def assert_fails_exactly(result, expected: set[str], ignore: set[str] = frozenset()) -> None:
    """`ignore`: checks whose outcome for this variant depends on the seed (stated by the lab)."""
    seen = not_passed(result) - ignore
    assert seen == expected - ignore, {c.id: c.message for c in result.checks if c.status != "passed"}


def grade_lab(config, assignment: str, reference, skeleton, variants: dict, folder) -> dict:
    """The reference, the skeleton and every variant of a lab, graded in one batch (one start-up)."""
    from ..conftest import grade_files
    from ..variants import write_variant

    files = {"reference": reference, "skeleton": skeleton}
    for name, (edits, _) in variants.items():
        files[name] = write_variant(reference, folder, name, edits)
    return grade_files(config, files, assignment=assignment)


def message(results: dict, student: str, check: str) -> str:
    return next(c.message for c in results[student].checks if c.id == check)
