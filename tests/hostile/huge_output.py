# expect: zero
# Floods stdout with 100 MB (the sandbox's file limit is 64 MB).
import sys

chunk = "x" * (1024 * 1024)
for _ in range(100):
    sys.stdout.write(chunk)
