# expect: zero
# A bounded fork flood at import: 48 sleeping children (the default cap is 32 processes).
import os
import time

for _ in range(48):
    if os.fork() == 0:
        time.sleep(6)
        os._exit(0)
time.sleep(6)
