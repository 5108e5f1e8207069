"""Evaluation: the real-speech dev set, metrics, and the report every model is judged by."""
