"""The plan stage: a validated Routine and the measured length of each phrase in, an exact
Timeline out (compose.py; crowded moments in room.py). The timeline (timeline.py) is the contract
every later stage reads: events at integer milliseconds, chapters, no audio."""
