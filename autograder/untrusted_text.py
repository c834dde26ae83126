"""Text a student controls (what their code printed, file, folder and link names, their exceptions'
messages) shown where characters do more than stand for themselves: a TA's terminal and Markdown.

A terminal obeys escape sequences (clear the screen, set the window title, colour a fake green PASS
line) and bidirectional overrides reorder what the eye reads; Markdown turns a line of backticks
into the end of a code block and a `# ` line into a heading. Every path that shows such text goes
through `for_terminal` or the Markdown helpers here, so a new path cannot forget one case of the
class: the dangerous characters are replaced by their visible escape (`\\u001b`), which keeps JSON
valid and shows the TA that something odd was printed.
"""

from __future__ import annotations

import re

# Bidirectional embeddings, overrides and isolates, and the marks (U+061C, U+200E, U+200F): they
# reorder the characters around them on screen ("Trojan Source"), and neither course language
# needs them.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# C0 controls but newline and tab, DEL, C1 controls, the bidi controls, and lone surrogates (a file
# name that is not valid UTF-8, which a strict UTF-8 stream refuses to write).
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def for_terminal(text: str) -> str:
    """`text` safe to write to a terminal: CR-LF and a lone CR (which returns the cursor to overwrite
    the line, as progress bars do) become newlines; every other control character and bidi control
    becomes its escape, `\\u001b`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def fence(text: str, info: str = "text") -> str:
    """`text` as a Markdown code block that nothing in it can close: the fence is a run of backticks
    longer than any run in the text (at least three, CommonMark's minimum)."""
    text = for_terminal(text)  # feedback.md is also read with `cat`
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text}\n{ticks}"


def markdown_inline(text: str) -> str:
    """`text` as part of one Markdown line: line breaks become spaces (a new line could start a
    heading, a fence or an HTML block), and `<` outside code spans is escaped (no raw HTML)."""
    parts = _CODE_SPAN.split(for_terminal(text).replace("\n", " "))
    return "".join(part if index % 2 else part.replace("<", "&lt;") for index, part in enumerate(parts))
