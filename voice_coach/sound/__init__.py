"""The sound stage: a Timeline and its clips into samples. Tones, the background bed, levelling
each cue, mastering to the loudness target and mixing block by block; no files, no devices."""
