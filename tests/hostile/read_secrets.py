# expect: reference
# Looks for the test labels, the reference solution and grader.toml on disk, from every hint the
# sandbox leaves (the decoy data folder's symlinks, the grader package's location), and for a
# secret in the grader's environment through /proc (test_hostile.py sets AUTOGRADE_TEST_SECRET).
import glob
import os

candidates = set()
raw = os.path.join("MNIST_data", "MNIST", "raw")
for name in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte"):
    try:
        real = os.path.dirname(os.path.realpath(os.path.join(raw, name)))
        candidates.add(os.path.join(real, "t10k-labels-idx1-ubyte"))
    except OSError:
        pass
try:
    import autograder

    repo = os.path.dirname(os.path.dirname(autograder.__file__))
    candidates.update([os.path.join(repo, "reference", "mnist_bn.py"), os.path.join(repo, "grader.toml"),
                       os.path.join(repo, "..", "shared", "data", "MNIST", "raw", "t10k-labels-idx1-ubyte")])
except Exception:
    pass
candidates.update(glob.glob("/work/*/grader.toml") + glob.glob("/work/*/reference/*.py"))
candidates.update(glob.glob("/tmp/pytest-of-*/*/*/*.py"))
for environ in glob.glob("/proc/[0-9]*/environ"):
    try:
        with open(environ, "rb") as handle:
            if b"hunter2" in handle.read():
                print("LEAK: grader environment in", environ)
    except OSError:
        pass
print("secret in my own environment:", os.environ.get("AUTOGRADE_TEST_SECRET"))
for path in sorted(candidates):
    try:
        with open(path, "rb") as handle:
            data = handle.read(64)
        if data:
            print("LEAK: read", path)
    except OSError:
        pass
