"""Set-up: speech engines, Kokoro, the Whisper encoder, the demo head, lexicon."""
