"""Similar submissions (autograder/similarity.py): renaming and comments do not hide shared code, the
course's own lines do not make two students alike, and little own code is never flagged."""

from __future__ import annotations

from autograder.similarity import MIN_FINGERPRINTS, common_lines, fingerprints, similar_pairs

GIVEN = "import torch\n\ndef build_model():\n    return torch.nn.Linear(784, 10)\n"
OWN = '''
def smooth(values, width=3):
    out = []
    for i in range(len(values)):
        window = values[max(0, i - width):i + width + 1]
        out.append(sum(window) / len(window) * 0.5 + values[i] * 0.5)
    return [round(v, 4) for v in out if v > 0.1]
'''
RENAMED = '''
def moving_average(xs, w=3):  # my own helper
    result = []
    for k in range(len(xs)):
        chunk = xs[max(0, k - w):k + w + 1]
        result.append(sum(chunk) / len(chunk) * 0.5 + xs[k] * 0.5)
    return [round(x, 4) for x in result if x > 0.1]
'''
OTHER = '''
def count_classes(labels):
    seen = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    ordered = sorted(seen.items(), key=lambda item: (-item[1], item[0]))
    return {name: count for name, count in ordered if count > 2}
'''


def test_renamed_copies_are_found_and_different_code_is_not():
    common = common_lines(GIVEN)
    prints = {name: fingerprints(GIVEN + code, common) for name, code in
              (("a", OWN), ("b", RENAMED), ("c", OTHER))}
    assert all(len(p) >= MIN_FINGERPRINTS for p in prints.values())
    pairs = similar_pairs(prints)
    assert [(a, b) for a, b, _ in pairs] == [("a", "b")] and pairs[0][2] == 1.0


def test_the_given_code_alone_is_never_similar():
    common = common_lines(GIVEN)
    prints = {"a": fingerprints(GIVEN, common), "b": fingerprints(GIVEN + "\n# done\n", common)}
    assert prints["a"] == [] and similar_pairs(prints) == []


def test_code_that_does_not_parse_still_gets_what_was_read():
    assert isinstance(fingerprints(OWN + "\ndef broken(:\n    '''unterminated", frozenset()), list)
