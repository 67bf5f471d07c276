"""Understanding staff turns, learnt from a labelled corpus of many writers (scripts_kb/understanding/)."""
