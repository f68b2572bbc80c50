"""The output stage: mixed samples into files a phone plays. Encoders (WAV, MP3, M4A, Ogg,
FLAC), tags and chapters, cue sidecars, checks on an output path, and the one atomic writer every
file of voice-coach goes through."""
