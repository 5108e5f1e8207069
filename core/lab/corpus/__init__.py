"""Speech corpus: TTS engines with phone timings, forced alignment, augmentation, shards."""
