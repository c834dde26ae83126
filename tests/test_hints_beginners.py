"""Hints for beginners' errors that torch words in its own terms (`checks/hints.py`), on the records the
probe writes for real errors (`probe/student.py`): a Colab path, MSELoss on class labels, `.item()` on a
Python float."""

from __future__ import annotations

import pytest
import torch

from autograder.checks.hints import hint
from autograder.checks.observations import describe_error
from autograder.probe.student import StudentError, call, describe_exception, import_module


def _raised(exception: str, message: str, function: str = "load_mnist") -> dict:
    return {"kind": "raised", "function": function, "exception": exception, "message": message}


@pytest.mark.parametrize("exception, message", [
    ("OSError", "[Errno 30] Read-only file system: '/content'"),
    ("PermissionError", "[Errno 13] Permission denied: '/content/drive'"),
    ("FileNotFoundError", "[Errno 2] No such file or directory: '/content/drive/MyDrive/MNIST_data/MNIST/raw'"),
])
def test_a_colab_path_is_told_to_use_root(exception, message):
    advice = str(hint(_raised(exception, message)))
    assert "Google Colab" in advice and "dsets.MNIST(root=root, ...)" in advice


def test_mnist_not_found_elsewhere_is_told_to_use_root():
    advice = str(hint(_raised("RuntimeError", "Dataset not found. You can use download=True to download it")))
    assert "`root` argument" in advice and "root=root" in advice


def test_no_colab_hint_for_other_paths():
    assert hint(_raised("FileNotFoundError", "[Errno 2] No such file or directory: '/contents.txt'")) is None


def _recorded(function, *args) -> dict:
    try:
        function(*args)
    except Exception as exc:  # noqa: BLE001
        return describe_exception(exc, "criterion", "/nowhere/student.py")
    raise AssertionError("no error")


def test_mse_loss_on_class_labels_is_told_to_use_cross_entropy():
    """torch's own words only say that sizes differ; the record says the error came through mse_loss."""
    logits, labels = torch.zeros(7, 10), torch.zeros(7, dtype=torch.long)
    for loss in (torch.nn.MSELoss(), torch.nn.functional.mse_loss):
        info = _recorded(loss, logits, labels)
        assert "must match the size of tensor" in info["message"] and "mse_loss" in info["through"]
        assert "use torch.nn.CrossEntropyLoss()" in str(hint(info))


def test_the_same_size_error_elsewhere_gets_no_cross_entropy_hint():
    info = _recorded(torch.add, torch.zeros(7, 10), torch.zeros(7))
    assert "must match the size of tensor" in info["message"] and hint(info) is None


STUDENT = '''
import torch


def evaluate(predicted, Y):
    correct = int((predicted == Y).sum())
    total = len(Y)
    accuracy = correct / total
    print('Accuracy:', accuracy.item())
    return accuracy.item()
'''


def test_item_on_a_float_names_the_line_that_made_it(tmp_path):
    """The error's line is the skeleton's print line; the hint quotes the student's line that made the float."""
    path = tmp_path / "hw.py"
    path.write_text(STUDENT, encoding="utf-8")
    module = import_module("hw_float_item", str(path))
    with pytest.raises(StudentError) as raised:
        call(module, str(path), "evaluate", torch.ones(4), torch.ones(4))
    info = raised.value.info
    assert info["first"]["code"] == "print('Accuracy:', accuracy.item())"
    assert info["origin"]["code"] == "accuracy = correct / total" and info["origin"]["line"] == 8
    message = str(describe_error(info, "hw.py", lambda line: f"hw.py line {line}"))
    assert "'float' object has no attribute 'item'" in message
    assert "`accuracy` is a Python float, not a tensor" in message
    assert "your evaluate() made it at `accuracy = correct / total`" in message


def test_item_on_a_float_without_a_line_still_says_a_python_number():
    advice = str(hint(_raised("AttributeError", "'float' object has no attribute 'item'", "evaluate")))
    assert "A Python float has no .item()" in advice and "where a tensor was expected" in advice
