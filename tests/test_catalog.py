"""The message catalog (autograder/catalog/): every key the code uses has a text in every language,
with the same values shown, and no text is dead. The labs' tests (tests/labs/contract.py) check
that every message a real submission gets is translated and keeps its numbers."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import Iterable

import pytest

from autograder.catalog import HERE, LANGUAGES, SOURCE, MissingMessage, catalog, fields, join, msg, parts, plural, render

PACKAGE = HERE.parent
HANGUL = re.compile("[\uac00-\ud7a3]")


def key_literals(node: ast.expr) -> Iterable[str]:
    """The keys a key expression can name: a literal string, or either branch of a conditional
    expression (not the strings its condition compares with)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from key_literals(node.body)
        yield from key_literals(node.orelse)


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
                literals = list(key_literals(node.args[0]))
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
    """The core's parts and every lab's (`labs/<name>/catalog/<language>.po`)."""
    names = {language: sorted(parts(language)) for language in LANGUAGES}
    assert all(found == names[SOURCE] for found in names.values()), names
    assert any(name.startswith("labs/") for name in names[SOURCE]), "no lab's catalog part was found"


def test_render_nests_messages_in_one_language_and_keeps_the_numbers() -> None:
    inner = msg("verdicts.internal_error", exception="ValueError", detail="bad {value} 0.25")
    outer = msg("verdicts.not_implemented.many.why", functions=join(["`a()`", "`b()`"], ", "), why=inner)
    english, korean = render(outer, "en"), render(outer, "ko")
    assert english.startswith("Not implemented yet: `a()`, `b()` still have") and "tell your TA" in english
    assert "조교에게" in korean and "`a()`, `b()`" in korean and "bad {value} 0.25" in korean
    with pytest.raises(MissingMessage):
        render(msg("no.such.key"), "ko")


# Korean particles whose form depends on the last sound of the word before them (이/가, 은/는, 을/를,
# 와/과, 으로/로, 이라/라, 였/이었, 여야/이어야, 이에요/예요): after a value the template cannot know that sound, and
# a pair like "이(가)" reads as machine output. Those that never change (에, 에서, 의, 도, 만, 까지)
# and counter words ("{count}개", "{n}번") are fine.
PARTICLE_PAIR = re.compile(r"이\(가\)|은\(는\)|을\(를\)|와\(과\)|\(으\)로|\(이\)라")
PARTICLE_AFTER_VALUE = re.compile(r"(?:[`'\")\]]|\(\))*"  # the value's closing quote, call or bracket
                                  r"(?:이(?!상|하|내|후|전)|가(?!지)|은|는|을|를|와|과|으로|로|라|였|여(?!러)|예요)")


def particle_problems(template: str) -> list[str]:
    """Where a Korean template puts a form-dependent particle after a value, or a particle pair."""
    problems = [f"{found.group()!r}" for found in PARTICLE_PAIR.finditer(template)]
    parsed = list(string.Formatter().parse(template))
    for (_, name, _, _), (after, _, _, _) in zip(parsed, parsed[1:]):
        if name is not None and (found := PARTICLE_AFTER_VALUE.match(after)):
            problems.append(f"{{{name}}}{found.group()}")
    return problems


def test_particle_problems_finds_what_reads_as_machine_output_and_nothing_else() -> None:
    for bad in ("{exception}이(가) 발생했습니다", "{name}을 쓸 수 없습니다", "`{function}()`은 ...", "p={p}였습니다",
                "SGD(lr {lr})은(는)", "{file}(으)로", "{x}이지만", "{a}와 {b}", '"{name}")가', "{x}로 나누세요",
                "[{n}]여야 합니다"):
        assert particle_problems(bad), bad
    for fine in ("{count}개를", "{n}번 실행", "{function}()에서 {exception} 오류가", "{file} 파일을", "{x}. 다음",
                 "{x}에 있습니다", "{x}의 값", "{x}입니다", "{x}인 모델", "{n} 이상", "{n}가지", "{{x}}이", "{x}도",
                 "{x}: 값이 {y}"):
        assert not particle_problems(fine), fine


def test_korean_templates_need_no_particle_that_depends_on_the_value() -> None:
    problems = {key: found for key, text in catalog("ko").items() if (found := particle_problems(text))}
    assert not problems, f"rephrase so that no form-dependent particle follows a value: {problems}"


def test_korean_spelling() -> None:
    for key, text in catalog("ko").items():
        assert "기대값" not in text, f"{key}: 기댓값"


def test_english_counts_have_their_plural() -> None:
    """"1 epoch(s)" reads as machine output: a template shows `{epochs:plural:epoch}`."""
    for key, text in catalog("en").items():
        assert "(s)" not in text, f"{key}: {text}"
    assert [render(msg("xor_fit.tried", seeds=n, steps=n), "en") for n in (1, 3)] == [
        "1 seed, 1 step each", "3 seeds, 3 steps each"]
    assert render(msg("class_report.eyes.some_errors", count=1, checks="`a`"), "en") == "1 check could not run: `a`"
    assert render(msg("class_report.eyes.some_errors", count=2, checks="x"), "ko") == "검사 2개를 실행하지 못했습니다: x"
    assert plural(2, "child", "children") == "2 children" and plural(0, "epoch") == "0 epochs"
    with pytest.raises(ValueError):
        plural(2, "a", "b", "c")
