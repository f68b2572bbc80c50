"""The live stage: a session played through the speakers as it is mixed. The sound device, the
transport (pause, skip, start-at), the screen and keys of the terminal, `remind`'s rounds and the
check-in after a session."""
