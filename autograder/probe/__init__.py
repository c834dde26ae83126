"""Code that runs inside a sandbox, next to the student's module.

It imports the student's file, calls the contract functions one phase at a time, and writes what
it observed (plain JSON, `.npy`, safetensors) into the job's output folder. It judges nothing:
verdicts are made by `autograder.checks` in the trusted process.
"""
