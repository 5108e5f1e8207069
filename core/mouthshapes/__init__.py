"""2D and stepped output: a take as one mouth shape per frame from a viseme set (Rhubarb A-X,
the 15 Oculus/Meta visemes, or a JSON preset), each held at least a minimum number of frames
(core.mouthshapes.shape_sets, classify, holds, track)."""
