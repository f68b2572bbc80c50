"""Package data: one folder per shipped language (language.yaml and LC_MESSAGES/voice_coach.po)."""
