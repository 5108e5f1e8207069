"""Audio in: reading, checking, resampling and streaming speech as 16 kHz mono."""
