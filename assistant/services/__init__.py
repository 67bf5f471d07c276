"""Services: what the web app, the Rasa actions and the CLI do with drills, coaching, evening sessions, activity and
accounts, on top of the pure engine and scorer and the database (assistant.db)."""
