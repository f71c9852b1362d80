"""The review app (Textual). ``annotator.tui.run.run_review`` starts it."""
