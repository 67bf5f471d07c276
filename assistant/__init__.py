"""Branch assistant: knowledge-base retrieval, drills, scoring and storage for bank-branch staff.

The Rasa actions (actions/), the Flask app (assistant.web) and the CLI (assistant.cli) are thin adapters over this package.
"""
