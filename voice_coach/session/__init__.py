"""The session pipeline: a routine prepared (speech synthesised, timeline composed), mastered,
mixed and written; sessions made of sessions (flight tracks, every built-in); mastered mixes kept
on disk. The public API (voice_coach/__init__.py) names what to use."""
