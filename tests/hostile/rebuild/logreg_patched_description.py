# expect: at most 65 on mnist_bn (tests/test_replay.py)
# A logistic regression (one Linear 784→10) handed in as the homework's MLP. It does none of the
# lab's work on the model: at import it patches the grader's probe so that every description of
# "the model" is the homework's MLP, which is built and looked at but never trained: the `build`
# phase observes an honest MLP (ops, modules, initial weights), and every later model, the trained
# logistic regression included, is described as that MLP, so round 2's cross-check (the same model
# at every call) passes. The trained model, predictions and costs are the logistic regression's.
# --- after the reference ---
import sys as _sys

_honest_build_model = build_model


def build_model(hidden1=100, hidden2=100):
    return torch.nn.Sequential(torch.nn.Linear(784, 10)).to(device)


_logistic_regression = build_model


_phases = _sys.modules.get("autograder.probe.phases")
_context = _sys.modules.get("autograder.probe.context")
if _phases is not None and _context is not None:
    _real_build_phase = _phases.PHASE_FUNCTIONS["build"]
    _real_describe = _context.describe_modules

    def _forged_build_phase(ctx):
        module = ctx.module
        module.build_model = _honest_build_model  # the grader's own phase looks at the honest MLP
        try:
            return _real_build_phase(ctx)
        finally:
            module.build_model = _logistic_regression

    _phases.PHASE_FUNCTIONS["build"] = _forged_build_phase
    _context.describe_modules = lambda model: _real_describe(_honest_build_model())
