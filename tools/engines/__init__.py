"""Game-engine hosts of the ONNX students: a reference host that plays a WAV in 10 ms hops."""
