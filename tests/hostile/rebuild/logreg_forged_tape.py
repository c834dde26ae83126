# expect: at most 65 on mnist_bn (tests/test_replay.py)
# logreg_patched_description.py, which also hands the grader's tape recorder an (untrained) MLP of
# the homework instead of the model it trained: the rebuilt model is then the described one, but it
# does not predict what the trained model predicted.
# --- after the reference ---
import sys as _sys

_honest_build_model = build_model


def build_model(hidden1=100, hidden2=100):
    return torch.nn.Sequential(torch.nn.Linear(784, 10)).to(device)


_logistic_regression = build_model
_phases = _sys.modules.get("autograder.probe.phases")
_context = _sys.modules.get("autograder.probe.context")
if _phases is not None and _context is not None:
    _real_build_phase, _real_describe, _real_record = _phases.PHASE_FUNCTIONS["build"], _context.describe_modules, _phases.record

    def _forged_build_phase(ctx):
        ctx.module.build_model = _honest_build_model
        try:
            return _real_build_phase(ctx)
        finally:
            ctx.module.build_model = _logistic_regression

    _phases.PHASE_FUNCTIONS["build"] = _forged_build_phase
    _context.describe_modules = lambda model: _real_describe(_honest_build_model())
    _phases.record = lambda model, batch: _real_record(_honest_build_model(), batch)
