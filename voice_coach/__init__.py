"""voice-coach: voice-guided exercise sessions from routine files."""
