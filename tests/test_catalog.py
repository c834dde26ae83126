"""The message catalog (autograder/catalog/): every key the code uses has a text in every language,
with the same values shown, and no text is dead. The labs' tests (tests/labs/contract.py) check
that every message a real submission gets is translated and keeps its numbers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from autograder.catalog import HERE, LANGUAGES, SOURCE, MissingMessage, catalog, fields, join, msg, render

PACKAGE = HERE.parent
HANGUL = re.compile("[\uac00-\ud7a3]")


def used_keys() -> dict[str, str]:
    """Every key a `msg(...)` call of the package names -> where (keys must be literal strings,
    possibly chosen by a conditional expression)."""
    keys: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node.func, "id", getattr(node.func, "attr", None)) if isinstance(node, ast.Call) else None
            if name == "wrong_type" and len(node.args) >= 2:  # the sandbox names `expected.<name>` (probe/student.py)
                assert isinstance(node.args[1], ast.Constant), f"{path}:{node.lineno}: wrong_type()'s expected must be literal"
                keys.setdefault(f"expected.{node.args[1].value}", f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
            if name == "msg":
                assert node.args, f"{path}:{node.lineno}: msg() without a key"
                literals = [c.value for c in ast.walk(node.args[0]) if isinstance(c, ast.Constant)
                            and isinstance(c.value, str)]
                assert literals, f"{path}:{node.lineno}: msg()'s key must be a literal string (the catalog's tests find it)"
                for key in literals:
                    keys.setdefault(key, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return keys


def test_every_key_the_code_uses_is_in_the_catalog_and_no_text_is_dead() -> None:
    used, source = used_keys(), catalog(SOURCE)
    missing = {key: where for key, where in used.items() if key not in source}
    assert not missing, f"keys used but not in catalog/{SOURCE}/: {missing}"
    dead = sorted(key for key in set(source) - set(used) if not key.startswith("phase."))  # the next test's
    assert not dead, f"catalog/{SOURCE}/ has texts no code uses: {dead}"


def test_every_registered_phase_has_a_name_in_the_catalog_and_no_other() -> None:
    """`phase_text(name)` computes its key, `phase.<name>`: one per phase of PHASES (every lab's
    phases registered); a TA's progress lines show its English (label())."""
    import autograder.checks  # noqa: F401  (registers every lab's phases)
    from autograder.sandbox.protocol import PHASES, label, phase_text

    source = catalog(SOURCE)
    assert {key for key in source if key.startswith("phase.")} == {f"phase.{name}" for name in PHASES}
    assert label("train") == "train() (the grading run)" and render(phase_text("train"), "ko") != label("train")
    assert phase_text("not-a-phase") == label("not-a-phase") == "not-a-phase"  # a progress file can say anything


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != SOURCE])
def test_every_message_is_translated_with_the_same_values(language: str) -> None:
    source, translated = catalog(SOURCE), catalog(language)
    untranslated = sorted(set(source) - set(translated))
    assert not untranslated, f"catalog/{language}/ lacks (or has fuzzy) translations of: {untranslated}"
    assert not set(translated) - set(source), f"catalog/{language}/ has keys the source lacks"
    for key, text in source.items():
        assert fields(translated[key]) == fields(text), f"{key}: {language} shows other values than {SOURCE}"
        words = re.search("[A-Za-z]{3,}", re.sub(r"\{[^}]*\}|`[^`]*`", "", text))  # outside fields and code
        if language == "ko" and words:
            assert HANGUL.search(translated[key]), f"{key}: the Korean text has no Korean in it"


def test_templates_use_plain_fields_only() -> None:
    """`{x!r}` would show the renderer's wrapper, not the value."""
    for language in LANGUAGES:
        for key, text in catalog(language).items():
            assert "!r}" not in text and "!s}" not in text and "!a}" not in text, f"{language} {key}"


def test_parts_are_named_alike_in_every_language() -> None:
    names = {language: sorted(p.name for p in (HERE / language).glob("*.po")) for language in LANGUAGES}
    assert all(parts == names[SOURCE] for parts in names.values()), names


def test_render_nests_messages_in_one_language_and_keeps_the_numbers() -> None:
    inner = msg("verdicts.internal_error", exception="ValueError", detail="bad {value} 0.25")
    outer = msg("verdicts.not_implemented.many.why", functions=join(["`a()`", "`b()`"], ", "), why=inner)
    english, korean = render(outer, "en"), render(outer, "ko")
    assert english.startswith("Not implemented yet: `a()`, `b()` still have") and "tell your TA" in english
    assert "조교에게" in korean and "`a()`, `b()`" in korean and "bad {value} 0.25" in korean
    with pytest.raises(MissingMessage):
        render(msg("no.such.key"), "ko")
