""""Without autograd", "from scratch", "without gradients" decided by what the code can do (issue 21,
item 4): the trusted side's reading of the source (`autograder/checks/capability.py`) on the
references, the contract variants and the red-team files, and every red-team file of
`tests/hostile/{backprop,weight_init,softmax_tips}/` graded at seeds 0, 1 and 2, where it must get
the honest score of a submission that does not do that part of the work."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.catalog import render
from autograder.checks.capability import AUTOGRAD, NN_INIT, dynamic_access, forbidden, written_out
from autograder.source import location

from .conftest import grade_files, not_passed
from .labs import backprop, softmax_tips, weight_init
from .variants import apply_edits, write_variant

HOSTILE = Path(__file__).resolve().parent / "hostile"
INIT_FUNCTIONS = ["xavier_uniform_", "xavier_normal_", "he_uniform_", "he_normal_"]
# lab module -> the functions a promise is about and what it forbids
PROMISES = {backprop: (["backward"], AUTOGRAD), weight_init: (INIT_FUNCTIONS, NN_INIT), softmax_tips: (["test"], AUTOGRAD)}
# The contract variants that break the promise: the only ones the reading may charge.
BREAKING = {"autograd_backward", "nn_init_xavier_normal", "nn_init_by_name_he_uniform"}


def attacks(lab) -> dict[str, tuple[list[tuple[str, str]], set[str]]]:
    """The lab's red-team files as variants: (edits to its reference, checks that must not pass)."""
    found = {}
    for path in sorted((HOSTILE / lab.ASSIGNMENT).glob("*.py")):
        expect, replaces, code = path.read_text(encoding="utf-8").split("\n", 2)
        assert expect.startswith("# expect: fail ") and replaces.startswith("# replaces: "), path
        first, *others = replaces.removeprefix("# replaces: ").split(" (")[0].split()
        edits = [(f"def {first}", code), *((f"def {name}", "") for name in others)]
        found[path.stem] = edits, set(expect.removeprefix("# expect: fail ").split())
    assert found, f"no attack for {lab.ASSIGNMENT}"
    return found


def read(lab, source: str) -> list:
    functions, capability = PROMISES[lab]
    return forbidden(source, functions, capability) + dynamic_access(source)


@pytest.mark.parametrize("lab", list(PROMISES), ids=lambda lab: lab.ASSIGNMENT)
def test_the_reading_charges_exactly_the_variants_that_break_the_promise(lab):
    reference = lab.REFERENCE.read_text(encoding="utf-8")
    assert read(lab, reference) == []
    for name, (edits, _) in lab.VARIANTS.items():
        assert bool(read(lab, apply_edits(reference, edits))) == (name in BREAKING), name


@pytest.mark.parametrize("lab", [backprop, weight_init], ids=lambda lab: lab.ASSIGNMENT)
def test_the_reading_finds_every_attack(lab):
    """These attacks hide a name from a profiler; softmax_tips' (a matmul) names nothing: measured in the sandbox."""
    reference = lab.REFERENCE.read_text(encoding="utf-8")
    for name, (edits, _) in attacks(lab).items():
        assert read(lab, apply_edits(reference, edits)), name


def test_no_reference_computes_names_or_runs_threads():
    for reference in sorted(backprop.REFERENCE.parent.glob("*.py")):
        assert dynamic_access(reference.read_text(encoding="utf-8")) == [], reference.name


# The course's published lab-10-X1 (08-2) puts its weights in nn.Parameter and draws them with
# torch.nn.init.normal_; filled into the skeleton, that is init_params(), which backward() never reaches.
COURSE_INIT = '''
def init_params(hidden=30):
    w1 = torch.nn.Parameter(torch.Tensor(784, hidden)).to(device)
    b1 = torch.nn.Parameter(torch.Tensor(hidden)).to(device)
    w2 = torch.nn.Parameter(torch.Tensor(hidden, 10)).to(device)
    b2 = torch.nn.Parameter(torch.Tensor(10)).to(device)
    for p in (w1, b1, w2, b2):
        torch.nn.init.normal_(p)
    return {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
'''


def test_the_course_style_elsewhere_is_not_charged():
    source = apply_edits(backprop.REFERENCE.read_text(encoding="utf-8"), [("def init_params", COURSE_INIT)])
    assert read(backprop, source) == []
    assert forbidden(source, ["train"], AUTOGRAD) == []  # train() calls backward(), which is read, clean
    assert [f.name for f in forbidden(source, ["init_params"], NN_INIT)] == ["torch.nn.init.normal_"]


def names(source: str, roots: list[str], capability=AUTOGRAD) -> list[str]:
    return [f.name for f in forbidden(source, roots, capability)]


def test_names_are_followed_through_aliases_helpers_and_patches():
    aliased = "import torch as t\nag = t.autograd\ndef helper(l, w):\n    return ag.grad(l, w)\n" \
              "def backward(p, c, X, Y):\n    return helper(1, 2)\n"
    assert names(aliased, ["backward"]) == ["torch.autograd", "ag.grad"]
    patched = "import torch\ndef evil(x):\n    return torch.autograd.grad(x, x)\ndef setup():\n" \
              "    torch.sigmoid = evil\nsetup()\ndef backward(p, c, X, Y):\n    return torch.sigmoid(X)\n"
    assert names(patched, ["backward"]) == ["torch.autograd.grad"]
    star = "from torch.autograd import *\ndef backward(p, c, X, Y):\n    return grad(1, 2)\n"
    assert names(star, ["backward"]) == ["torch.autograd.*"]
    literal = "def backward(p, c, X, Y):\n    return getattr(X, 'backward')()\n"
    assert names(literal, ["backward"]) == ['getattr(..., "backward")']
    init = "from torch.nn import init\nimport torch.nn as nn\ndef xavier_uniform_(w):\n    return init.xavier_uniform_(w)\n" \
           "def he_normal_(w):\n    return nn.init.kaiming_normal_(w)\n"
    assert names(init, ["xavier_uniform_", "he_normal_"], NN_INIT) == \
        ["torch.nn.init", "torch.nn.init.xavier_uniform_", "torch.nn.init.kaiming_normal_"]


def test_what_the_grader_never_runs_or_never_reaches_is_not_read():
    source = "import torch\ndef backward(p, c, X, Y):\n    return {}\ndef train(m):\n    m.loss.backward()\n" \
             "if __name__ == '__main__':\n    exec('x = 1')\n    torch.autograd.grad\n"
    assert forbidden(source, ["backward"], AUTOGRAD) == [] and dynamic_access(source) == []
    assert names(source, ["train"]) == ["m.loss.backward"]


def test_computed_names_and_threads_are_found_anywhere_in_the_module():
    source = "import threading\nimport torch\nf = getattr(torch, 'auto' + 'grad')\ng = getattr(torch, 'sigmoid')\n" \
             "def unrelated():\n    return eval('1')\n"
    assert [(f.line, f.name) for f in dynamic_access(source)] == \
        [(1, "threading"), (3, "getattr()"), (6, "eval()")]


def test_the_verdict_says_where_and_what():
    source = apply_edits(backprop.REFERENCE.read_text(encoding="utf-8"), [("def backward", backprop.AUTOGRAD_BACKWARD)])
    line = 1 + source.split("\n").index("    d_w1, d_w2, d_l1, d_l2 = torch.autograd.grad(loss, [w1, w2, l1, l2])")
    found = written_out(SimpleNamespace(source=source, locate=location("backprop.py")), ["backward"], AUTOGRAD)
    assert f"backprop.py line {line}: `torch.autograd.grad`" in render(found, "en")
    assert "backward()" in render(found, "en") and "backward()" in render(found, "ko")
    assert written_out(SimpleNamespace(source=None, locate=location("backprop.py")), ["backward"], AUTOGRAD) is None


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("lab", [backprop, weight_init, softmax_tips], ids=lambda lab: lab.ASSIGNMENT)
def test_each_attack_gets_the_honest_score_at_every_seed(config, tmp_path, lab, seed):
    config = config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})})
    found = attacks(lab)
    files = {name: write_variant(lab.REFERENCE, tmp_path, name, edits) for name, (edits, _) in found.items()}
    results = grade_files(config, files, assignment=lab.ASSIGNMENT)
    checks = config.assignments[lab.ASSIGNMENT].checks.enabled()
    for name, (_, expected) in found.items():
        result = results[name]
        assert not_passed(result) == expected, {c.id: c.message for c in result.checks if c.status != "passed"}
        assert result.score == 100 - sum(checks[check].points for check in expected)
