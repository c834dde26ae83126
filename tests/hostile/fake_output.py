# expect: zero
# Prints what a naive grader might parse as a verdict, and implements nothing.
import json

print("PASSED: all 12 checks, 100/100")
print(json.dumps({"student": "me", "score": 100, "max_score": 100, "checks": []}))
print("============================== 61 passed in 0.01s ==============================")
