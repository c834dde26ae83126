"""Similar submissions: a hint for a TA that two students' own code is unusually alike, never a verdict.

How it is computed (the class report says the same):

1. A student's own code: the lines of their file that are neither in the skeleton nor in the
   reference, compared after stripping whitespace (the course publishes its lab code, so lines
   copied from it say nothing about two students).
2. Normalised tokens (Python's `tokenize`, nothing executed): comments and layout dropped, every
   identifier becomes `v` (renaming does not hide anything), every string `s`; numbers, keywords and
   operators stay.
3. Winnowing (Schleimer, Wilkerson and Aiken, 2003, the method of MOSS): hashes of every K tokens in
   a row, and the smallest hash of every W hashes in a row kept as the code's fingerprints.
4. Two students are similar when the Jaccard index of their fingerprint sets is at least THRESHOLD,
   and both have at least MIN_FINGERPRINTS of their own (little own code makes any two alike).

Fingerprints are computed when the file is graded and kept in `result.json`, so `autograde report`
finds pairs without the submissions at hand.
"""

from __future__ import annotations

import hashlib
import io
import keyword
import tokenize
from itertools import combinations

K = 10  # tokens per hashed run: a statement or two
W = 4  # window: any run of W + K - 1 equal tokens shares a fingerprint
THRESHOLD = 0.7
MIN_FINGERPRINTS = 12
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING,
           tokenize.ENDMARKER}


def common_lines(*sources: str) -> frozenset[str]:
    """The lines every student was given (skeleton) or may copy (reference), stripped."""
    return frozenset(line.strip() for source in sources for line in source.splitlines() if line.strip())


def own_tokens(source: str, common: frozenset[str]) -> list[str]:
    lines = source.splitlines()
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in SKIPPED or lines[token.start[0] - 1].strip() in common:
                continue
            if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
                tokens.append("v")
            elif token.type == tokenize.STRING or token.type in (getattr(tokenize, "FSTRING_START", -1),):
                tokens.append("s")
            else:
                tokens.append(token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError, IndexError):
        return tokens
    return tokens


def fingerprints(source: str, common: frozenset[str]) -> list[int]:
    """The winnowed fingerprints of a submission's own code, sorted (small ints, JSON-friendly)."""
    tokens = own_tokens(source, common)
    hashes = [int.from_bytes(hashlib.blake2b(" ".join(tokens[i:i + K]).encode(), digest_size=6).digest(), "big")
              for i in range(len(tokens) - K + 1)]
    if len(hashes) < W:
        return sorted(set(hashes))
    return sorted({min(hashes[i:i + W]) for i in range(len(hashes) - W + 1)})


def similar_pairs(prints: dict[str, list[int]], threshold: float = THRESHOLD) -> list[tuple[str, str, float]]:
    """Pairs of students whose fingerprints' Jaccard index is at least `threshold`, the most alike
    first."""
    sets = {student: set(values) for student, values in prints.items() if len(values) >= MIN_FINGERPRINTS}
    pairs = []
    for (a, first), (b, second) in combinations(sorted(sets.items()), 2):
        score = len(first & second) / len(first | second)
        if score >= threshold:
            pairs.append((a, b, score))
    return sorted(pairs, key=lambda pair: (-pair[2], pair[0], pair[1]))
