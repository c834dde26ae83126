"""What every lab's tests assert, written once (`LabContract`): the generated files are up to date,
every Korean comment of the reference has an English line under it, the reference gets full marks,
the untouched skeleton gets 0 with "Not implemented yet" on every check, each variant of
`tests/labs/<lab>.py` fails exactly the checks it lists (other correct styles: none), and every check
is failed alone by some variant. A lab's test module subclasses it and adds its own messages.

A lab module (`tests/labs/<lab>.py`) holds ASSIGNMENT, REFERENCE and VARIANTS, and optionally
SEED_DEPENDENT (variant -> checks whose verdict for it depends on the seed or device, not compared)
and NEVER_ALONE (checks no single bug can fail alone, with the reason next to it)."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from autograder.skeleton import stale_skeletons

from ..conftest import grade_files, not_passed
from ..variants import write_variant


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


NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def assert_translated(result, language: str = "ko") -> None:
    """Every word a student reads is in `language` too (it has Korean in it), and keeps the English
    text's numbers: a check's title and message, the causes said once, warnings and notes."""
    translated = result.in_language(language)
    pairs = [(f"{c.id} title", c.title, t.title) for c, t in zip(result.checks, translated.checks)]
    pairs += [(f"{c.id} message", c.message, t.message) for c, t in zip(result.checks, translated.checks)]
    for field in ("fix_first", "warnings", "notes"):
        pairs += [(field, en, ko) for en, ko in zip(getattr(result, field), getattr(translated, field), strict=True)]
    for where, english, other in pairs:
        assert re.search("[가-힣]", other), f"{result.student}, {where}: not translated: {other}"
        missing = sorted(set(NUMBER.findall(english)) - set(NUMBER.findall(other)))
        assert not missing, f"{result.student}, {where}: the translation lost {missing}: {english} / {other}"


def message(results: dict, student: str, check: str) -> str:
    return next(c.message for c in results[student].checks if c.id == check)


def variant_names(lab: ModuleType) -> list[str]:
    """For `pytest_generate_tests` (tests/conftest.py): one test per variant, named after it."""
    return sorted(lab.VARIANTS)


class LabContract:
    lab: ModuleType  # tests/labs/<lab>.py

    @pytest.fixture(scope="class")
    @classmethod
    def results(cls, config, tmp_path_factory) -> dict:
        """The reference, the skeleton and every variant, graded in one batch (one start-up)."""
        folder = tmp_path_factory.mktemp(f"{cls.lab.ASSIGNMENT}_variants")
        skeleton = config.path(config.assignments[cls.lab.ASSIGNMENT].skeleton)
        files = {"reference": cls.lab.REFERENCE, "skeleton": skeleton}
        for name, (edits, _) in cls.lab.VARIANTS.items():
            files[name] = write_variant(cls.lab.REFERENCE, folder, name, edits)
        return grade_files(config, files, assignment=cls.lab.ASSIGNMENT)

    def test_generated_files_are_up_to_date(self, config):
        assert not stale_skeletons(config, [self.lab.ASSIGNMENT]), f"run `autograde assign {self.lab.ASSIGNMENT}`"

    def test_every_korean_comment_has_an_english_line_under_it(self):
        reference = self.lab.REFERENCE.read_text(encoding="utf-8").splitlines()
        korean = [i for i, line in enumerate(reference) if line.strip().startswith("#") and re.search("[가-힣]", line)]
        assert len(korean) >= 10
        for i in korean:  # the last line of a Korean paragraph is followed by English comment lines
            if i + 1 in korean:
                continue
            following = reference[i + 1].strip()
            assert following.startswith("#") and not re.search("[가-힣]", following), reference[i]

    def test_reference_scores_full_marks(self, results):
        assert_reference_full_marks(results["reference"])

    def test_skeleton_scores_zero_with_not_implemented_everywhere(self, results):
        assert_skeleton_not_implemented(results["skeleton"])

    def test_each_variant_fails_exactly_its_checks(self, results, variant):
        ignored = getattr(self.lab, "SEED_DEPENDENT", {}).get(variant, set())
        assert_fails_exactly(results[variant], self.lab.VARIANTS[variant][1], ignored)

    def test_every_message_is_in_korean_too_with_the_same_numbers(self, results):
        for result in results.values():
            assert_translated(result)

    def test_every_check_is_failed_alone_by_some_variant(self, config):
        alone = {next(iter(expected)) for _, expected in self.lab.VARIANTS.values() if len(expected) == 1}
        never = getattr(self.lab, "NEVER_ALONE", set())
        assert alone | never == set(config.assignments[self.lab.ASSIGNMENT].checks.enabled())
        assert any(not expected for _, expected in self.lab.VARIANTS.values()), "no other correct style"
