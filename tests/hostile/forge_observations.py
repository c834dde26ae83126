# expect: reference
# At import, writes forged observation and result files wherever the grader might look,
# including symlinks that would redirect the grader's writes or reads.
import glob
import json
import os

forged = json.dumps({"ok": True, "score": 100})
for folder in [".", "..", "../out", "../out/obs", "../../", os.path.expanduser("~")]:
    for name in ("result.json", "progress", "predictions.npy", "train.json", "build.json"):
        try:
            with open(os.path.join(folder, name), "w") as handle:
                handle.write(forged)
        except OSError:
            pass
for name in ("predictions.npy", "init.safetensors"):
    for folder in ("../out", "."):
        try:
            os.symlink("/etc/hostname", os.path.join(folder, name))
        except OSError:
            pass
for path in glob.glob("/tmp/autograde-*/jobs/*/out/obs") + glob.glob("/tmp/*/results/*"):
    try:
        with open(os.path.join(path, "train.json"), "w") as handle:
            handle.write(forged)
        print("LEAK: wrote into", path)
    except OSError:
        pass
