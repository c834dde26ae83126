"""What a student reads of their own printed output names no folder of the grader's machine and no
line of the grader's code, whichever machine graded it (run_record.scrub)."""

from __future__ import annotations

from autograder.run_record import read_output, scrub

PRINTED = """/opt/course/autograder/probe/tracing.py:84: UserWarning: Implicit dimension choice for softmax
  out = module(*args)
/tmp/autograde-x1y2/jobs/3/work/mnist_bn.py:18: UserWarning: mine
  x = F.softmax(y)
/home/ta/.venv/lib/python3.11/site-packages/torch/nn/modules/module.py:1234: UserWarning: deprecated
  return forward_call(*args)
Traceback (most recent call last):
  File "/srv/worker/env/lib/python3.12/dist-packages/autograder/probe/student.py", line 40, in call
  File "/tmp/autograde-x1y2/jobs/3/work/mnist_bn.py", line 5, in f
Accuracy: 0.5
"""


def test_the_grader_and_the_machine_are_cut_from_what_was_printed():
    assert scrub(PRINTED) == """UserWarning: Implicit dimension choice for softmax
mnist_bn.py:18: UserWarning: mine
  x = F.softmax(y)
torch/nn/modules/module.py:1234: UserWarning: deprecated
  return forward_call(*args)
Traceback (most recent call last):
  File "<grader>", line 40, in call
  File "mnist_bn.py", line 5, in f
Accuracy: 0.5
"""


def test_read_output_scrubs_head_and_tail(tmp_path):
    (tmp_path / "output.txt").write_text(PRINTED * 50, encoding="utf-8")
    text = read_output(tmp_path / "output.txt", 2000)
    assert "bytes not shown" in text and "/autograder/" not in text and "site-packages" not in text
    assert "autograde-x1y2" not in text
