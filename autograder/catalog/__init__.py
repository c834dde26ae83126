"""Every sentence a student or a TA reads, in every language, from one message catalog.

Code never holds the text of a message: it holds a `Msg`, a key and the measured values
(`msg("accuracy.failed", accuracy=0.71, minimum=0.8)`). The text lives in gettext catalogs,
`catalog/<language>/<part>.po`, one part per module whose messages it holds (`checks/model.py`'s
are in `model.po`; a lab's are in its folder, `labs/<name>/catalog/<language>.po`), with the key as msgid and the text as msgstr, a `str.format` template whose
fields are the values. Keys are `<check kind>.<outcome>[.<detail>]` for checks, and
`<module>.<what>` elsewhere. The catalog's source language is English; `ko` translates every key
(tests/test_catalog.py fails when one is missing, fuzzy, or has other fields).

The .po files are read with Babel's `read_po` (no compile step, no .mo files to keep in sync),
once per process. A value may itself be a `Msg` (rendered in the same language), or a `Joined`
list of them; everything else is formatted as is, so the numbers are the same in every language.

A count and its noun: `{count:plural:check}` shows "1 check" or "3 checks", and
`{count:plural:child:children}` names an irregular plural (English needs it; Korean does not, so its
templates show the bare `{count}` with a counter word: "{count}개"). No template writes "(s)".
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Iterable

from babel.messages.pofile import read_po

from ..labs import catalog_parts

LANGUAGES = ("en", "ko")  # the catalog's: `en` is the source, every key has a `ko` text
SOURCE = "en"
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Msg:
    """A message before it has a language: a catalog key and the values its text shows."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:  # for logs and exceptions: the source language
        return render(self, SOURCE)


@dataclass(frozen=True)
class Joined:
    """Several messages (or plain values) shown as one value, e.g. a list of problems."""

    items: tuple[Any, ...]
    sep: str = "; "


def msg(key: str, **params: Any) -> Msg:
    """The message `key` of the catalog, showing `params`. The key must be a literal string, so
    that tests/test_catalog.py can find every key the code uses."""
    return Msg(key, params)


def join(items: Iterable[Any], sep: str = "; ") -> Joined:
    return Joined(tuple(items), sep)


Text = Msg | Joined | str


class MissingMessage(KeyError):
    """A key that the catalog of a language lacks (a bug caught by tests/test_catalog.py)."""


def parts(language: str) -> dict[str, Path]:
    """The parts of one language's catalog, by name: the core's (`catalog/<language>/<part>.po`),
    then each lab's (`labs/<name>/catalog/<language>.po`, as `labs/<name>`), so that a lab's words
    stay in its folder."""
    core = {part.stem: part for part in sorted((HERE / language).glob("*.po"))}
    return {**core, **{f"labs/{name}": part for name, part in catalog_parts(language).items()}}


@cache
def catalog(language: str) -> dict[str, str]:
    """The templates of one language: key -> text, from every part of `catalog/<language>/`."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalog for language {language!r}; there are: {', '.join(LANGUAGES)}")
    texts: dict[str, str] = {}
    for part in parts(language).values():
        with part.open("rb") as handle:
            for message in read_po(handle, locale=None):
                if message.id and message.string and not message.fuzzy:
                    if message.id in texts:
                        raise ValueError(f"{part}: key {message.id!r} is also in another part")
                    texts[message.id] = message.string
    return texts


def render(text: Any, language: str) -> str:
    """The text of a message (or of a plain value) in `language`."""
    if isinstance(text, Msg):
        try:
            template = catalog(language)[text.key]
        except KeyError:
            raise MissingMessage(f"catalog {language!r} has no message {text.key!r}") from None
        return template.format(**{name: _Shown(value, language) for name, value in text.params.items()})
    if isinstance(text, Joined):
        return text.sep.join(render(item, language) for item in text.items)
    return str(text)


class _Shown:
    """A value as a template shows it: a message rendered in the template's language, a number
    with the template's format spec."""

    def __init__(self, value: Any, language: str):
        self.value, self.language = value, language

    def __format__(self, spec: str) -> str:
        if spec.startswith(PLURAL):
            return plural(self.value, *spec[len(PLURAL):].split(":"))
        if isinstance(self.value, (Msg, Joined)):
            return format(render(self.value, self.language), spec)
        return format(self.value, spec)


PLURAL = "plural:"  # the format spec of a count shown with its noun


def plural(count: Any, singular: str, plural_form: str | None = None, *extra: str) -> str:
    """`count` and its noun: "1 epoch", "0 epochs", "3 epochs" (the plural is the singular + "s"
    unless given)."""
    if extra or not singular:
        raise ValueError(f"a plural spec is `plural:<singular>` or `plural:<singular>:<plural>`, not {singular!r}, "
                         f"{plural_form!r}, {extra}")
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def fields(template: str) -> set[str]:
    """The value names a template shows (for the catalog's tests)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


__all__ = ["LANGUAGES", "Joined", "MissingMessage", "Msg", "PLURAL", "SOURCE", "Text", "catalog", "fields", "join", "parts",
           "msg", "plural", "render"]
