"""The course server, `autograde serve`: students upload in a browser and read their feedback a few
seconds later; TAs see the class report, the gradebook over the roster, and export it.

The web process (app.py) only stores uploads and reads results; grading happens in a separate
worker process (worker.py) that runs the existing sandboxed `Grader`, so student code never runs
in, or is imported by, the process that holds the sessions and the database. docs/server.md.
"""
