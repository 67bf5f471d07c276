"""Benchmarks and the harness that runs the real servers (Rasa, actions, PostgreSQL, Redis) for tests and benchmarks.

Outside the library on purpose: `assistant/` never imports from here. `bin/assistant bench WHAT` runs `python -m bench`.
"""
