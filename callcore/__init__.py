"""Call-handling core of the operator app: no tkinter here, ever (see tests/test_architecture.py)."""
